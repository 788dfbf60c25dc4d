-- 001_core.sql: users, sessions, channels, chats, their events and the agents' feeds.
-- All times are UTC (snak sets time_zone = '+00:00' on every connection).
-- Migrations are applied in file-name order and recorded in schema_migrations.

CREATE TABLE users (
  id            BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  username      VARCHAR(64)  NOT NULL,            -- login name, unique
  name          VARCHAR(200) NOT NULL,            -- shown to customers ("Anna")
  email         VARCHAR(254) NOT NULL DEFAULT '',
  password_hash VARCHAR(255) NOT NULL,            -- Argon2id string from libsodium
  role          ENUM('agent','manager','admin') NOT NULL DEFAULT 'agent',
  max_chats     INT UNSIGNED NOT NULL DEFAULT 5,  -- concurrent chats an agent takes
  active        TINYINT(1)   NOT NULL DEFAULT 1,  -- 0: may not log in
  status        ENUM('present','away','offline') NOT NULL DEFAULT 'offline',
  status_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  feed_seq      BIGINT UNSIGNED NOT NULL DEFAULT 0, -- last seq of this agent's feed (agent_events)
  feed_changed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), -- read by other nodes' hubs
  created_at    TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY username (username),
  KEY feed_changed_at (feed_changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
  id           BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  token_hash   BINARY(32)   NOT NULL,              -- BLAKE2b of the cookie token; the token itself is never stored
  user_id      BIGINT UNSIGNED NOT NULL,
  csrf_token   CHAR(43)     NOT NULL,              -- sent back in X-CSRF-Token on every change
  created_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at   TIMESTAMP(6) NOT NULL,              -- sliding: renewed while the agent is active
  UNIQUE KEY token_hash (token_hash),
  KEY user_id (user_id),
  CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE login_failures (
  login_key    VARCHAR(100) NOT NULL PRIMARY KEY,  -- 'u:<username>' or 'ip:<address>'
  failures     INT UNSIGNED NOT NULL DEFAULT 0,    -- since the last success or quiet period
  last_at      TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channels (
  id              BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  slug            VARCHAR(64)  NOT NULL,           -- in URLs and the embed snippet
  name            VARCHAR(200) NOT NULL,
  language        VARCHAR(8)   NOT NULL DEFAULT 'en',
  timezone        VARCHAR(64)  NOT NULL DEFAULT 'UTC',
  routing         ENUM('pick','offer') NOT NULL DEFAULT 'pick',
  welcome_message TEXT NOT NULL,
  queue_message   TEXT NOT NULL,
  closed_message  TEXT NOT NULL,
  color           CHAR(7) NOT NULL DEFAULT '#2563eb',
  queue_version   BIGINT UNSIGNED NOT NULL DEFAULT 0, -- bumped when the queue changes (positions move)
  queue_changed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), -- read by other nodes' hubs
  created_at      TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY slug (slug),
  KEY queue_changed_at (queue_changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channel_members (
  channel_id BIGINT UNSIGNED NOT NULL,
  user_id    BIGINT UNSIGNED NOT NULL,
  rights     SET('respond','listen','manager') NOT NULL DEFAULT 'respond',
  PRIMARY KEY (channel_id, user_id),
  KEY user_id (user_id),
  CONSTRAINT members_channel FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE,
  CONSTRAINT members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chats (
  id             BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  channel_id     BIGINT UNSIGNED NOT NULL,
  token_hash     BINARY(32)   NOT NULL,            -- BLAKE2b of the customer's chat token
  status         ENUM('queued','active','ended') NOT NULL DEFAULT 'queued',
  customer_name  VARCHAR(200) NOT NULL,
  customer_email VARCHAR(254) NOT NULL,
  question       TEXT NOT NULL,
  language       VARCHAR(8)   NOT NULL DEFAULT 'en',
  agent_id       BIGINT UNSIGNED NULL,             -- the agent who answers; NULL while queued
  last_seq       BIGINT UNSIGNED NOT NULL DEFAULT 0, -- last seq of chat_events for this chat (gapless)
  last_from      ENUM('customer','agent','system') NOT NULL DEFAULT 'customer', -- who wrote last (list dot)
  agent_read_seq BIGINT UNSIGNED NOT NULL DEFAULT 0, -- customer messages after this are unread by the agent
  changed_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), -- read by other nodes' hubs
  created_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  answered_at    TIMESTAMP(6) NULL,
  ended_at       TIMESTAMP(6) NULL,
  KEY queue (channel_id, status, id),
  KEY agent (agent_id, status, ended_at),
  KEY ended (status, ended_at),
  KEY changed_at (changed_at),
  CONSTRAINT chats_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chat_participants (
  chat_id    BIGINT UNSIGNED NOT NULL,
  user_id    BIGINT UNSIGNED NOT NULL,
  role       ENUM('agent','listener') NOT NULL DEFAULT 'agent',
  joined_at  TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  left_at    TIMESTAMP(6) NULL,
  PRIMARY KEY (chat_id, user_id),
  KEY user_id (user_id, joined_at),
  CONSTRAINT participants_chat FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Everything a chat's clients must see, in order. seq is per chat and gapless:
-- it is taken from chats.last_seq under the chat row's lock in the same transaction.
CREATE TABLE chat_events (
  chat_id     BIGINT UNSIGNED NOT NULL,
  seq         BIGINT UNSIGNED NOT NULL,
  type        VARCHAR(32)  NOT NULL,               -- message, status, agent_joined, agent_left, system
  at          TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  author_kind ENUM('customer','agent','system') NOT NULL,
  author_id   BIGINT UNSIGNED NULL,                -- users.id for agents
  author_name VARCHAR(200) NOT NULL DEFAULT '',
  body        TEXT NULL,                           -- message text
  private     TINYINT(1) NOT NULL DEFAULT 0,       -- agents only; never sent to the customer
  client_id   VARCHAR(64) NULL,                    -- the sender's id for the send; a retry finds it here
  data        TEXT NULL,                           -- JSON object with type-specific fields (status...)
  PRIMARY KEY (chat_id, seq),
  UNIQUE KEY client_id (chat_id, client_id),
  CONSTRAINT events_chat FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each agent's own feed, gapless per agent like chat_events.
CREATE TABLE agent_events (
  user_id  BIGINT UNSIGNED NOT NULL,
  seq      BIGINT UNSIGNED NOT NULL,
  type     VARCHAR(32)  NOT NULL,                  -- chat.message, chat.assigned, queue.changed...
  at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  chat_id  BIGINT UNSIGNED NULL,
  data     TEXT NULL,                              -- JSON object merged into the event
  PRIMARY KEY (user_id, seq),
  KEY at (at),
  CONSTRAINT agent_events_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
