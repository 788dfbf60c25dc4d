-- Appending to a chat inside the server (issue "Performance and scale").
--
-- A message is about nine statements: lock the chat, insert the event, lock
-- and write the feeds of the agents in the chat, move the chat's last_seq,
-- commit. Sent one by one, each is a round trip between snak and MariaDB,
-- and on this machine the two processes waking each other up cost more CPU
-- than the statements themselves. Run here, a message is one CALL. Values
-- still travel only as bound parameters (CALL snak_post(?, ...)).
--
-- The rules stay where they were: events.c decides who may post what, and
-- locks in the same order (the chat row first, then the users in id order,
-- so transactions cannot wait on each other in a cycle).

-- Which process changed a chat last (its @snak_node, set on each of its
-- connections by db.c). The hubs' change check leaves out their own
-- process's changes, which it learnt at once from its own commits: under
-- load those are nearly all the rows, every 50 ms. The index covers the
-- check.
ALTER TABLE chats
  ADD COLUMN changed_by BIGINT NOT NULL DEFAULT 0 AFTER changed_at,
  DROP KEY changed_at,
  ADD KEY changed_at (changed_at, changed_by, last_seq);

-- snak_append: appends an event at seq p_seq to chat p_chat, whose row the
-- caller has locked in its transaction; writes it into the feed of every
-- agent taking part except p_skip (p_feed is the feed event's data; the seq
-- and the author's name are set in it here), and moves the chat's last_seq.
-- o_feeds: "user:feed_seq,..." for the feeds written, NULL for none; o_at:
-- the event's time, as the API writes times.
-- A used p_client fails with a duplicate key (1062): the caller rolls back.
CREATE PROCEDURE snak_append(
  IN p_chat BIGINT UNSIGNED,
  IN p_seq BIGINT UNSIGNED,
  IN p_type VARCHAR(32) CHARACTER SET utf8mb4,
  IN p_kind VARCHAR(8) CHARACTER SET utf8mb4,
  IN p_author BIGINT UNSIGNED,
  IN p_name VARCHAR(200) CHARACTER SET utf8mb4,
  IN p_body TEXT CHARACTER SET utf8mb4,
  IN p_private TINYINT,
  IN p_client VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_data TEXT CHARACTER SET utf8mb4,
  IN p_skip BIGINT UNSIGNED,
  IN p_feed_type VARCHAR(32) CHARACTER SET utf8mb4,
  IN p_feed TEXT CHARACTER SET utf8mb4,
  OUT o_feeds TEXT CHARACTER SET utf8mb4,
  OUT o_at VARCHAR(32) CHARACTER SET utf8mb4)
BEGIN
  DECLARE v_ids TEXT;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_at TIMESTAMP(6) DEFAULT NOW(6);

  SET o_at = DATE_FORMAT(v_at, '%Y-%m-%dT%H:%i:%s.%fZ');
  INSERT INTO chat_events (chat_id, seq, type, at, author_kind, author_id,
    author_name, body, private, client_id, data)
  VALUES (p_chat, p_seq, p_type, v_at, p_kind, p_author, p_name, p_body,
    p_private, p_client, p_data);
  -- One simple statement per row: statements that join are optimised
  -- again on every run, which costs more than the loop.
  SELECT GROUP_CONCAT(user_id ORDER BY user_id) INTO v_ids
  FROM chat_participants WHERE chat_id = p_chat AND left_at IS NULL;
  SET o_feeds = NULL;
  -- Each agent's row, locked in id order; LAST_INSERT_ID(x) hands back
  -- the new feed_seq without reading the row again.
  WHILE v_ids IS NOT NULL DO
    SET v_id = SUBSTRING_INDEX(v_ids, ',', 1);
    SET v_ids = NULLIF(SUBSTRING(v_ids, LENGTH(v_id) + 2), '');
    IF v_id <> p_skip THEN
      UPDATE users SET feed_seq = LAST_INSERT_ID(feed_seq + 1),
        feed_changed_at = NOW(6) WHERE id = v_id;
      INSERT INTO agent_events (user_id, seq, type, at, chat_id, data)
      VALUES (v_id, LAST_INSERT_ID(), p_feed_type, v_at, p_chat,
        JSON_SET(p_feed, '$.event.seq', p_seq, '$.event.author.name', p_name));
      SET o_feeds = CONCAT_WS(',', o_feeds, CONCAT(v_id, ':', LAST_INSERT_ID()));
    END IF;
  END WHILE;
  -- Last before the commit: other nodes' hubs look for changed_at. The
  -- chat's agent writing has read everything before.
  UPDATE chats SET last_seq = p_seq, last_from = p_kind, changed_at = NOW(6),
    changed_by = COALESCE(@snak_node, 0), agent_read_seq = IF(p_kind = 'agent' AND agent_id <=> p_author, p_seq,
      agent_read_seq)
  WHERE id = p_chat;
END;

-- snak_post: a message to chat p_chat in a transaction of its own. The
-- customer's messages (p_kind customer, p_name NULL) carry the name given in
-- the pre-chat form; an agent may only write into a chat that is theirs.
-- One row: the outcome (ok, not_found, not_mine, ended), the seq, o_feeds,
-- o_at, the author's name and the chat's status: with these the committing
-- process answers its own waiting polls without reading the rows back.
CREATE PROCEDURE snak_post(
  IN p_chat BIGINT UNSIGNED,
  IN p_kind VARCHAR(8) CHARACTER SET utf8mb4,
  IN p_author BIGINT UNSIGNED,
  IN p_name VARCHAR(200) CHARACTER SET utf8mb4,
  IN p_body TEXT CHARACTER SET utf8mb4,
  IN p_private TINYINT,
  IN p_client VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_feed TEXT CHARACTER SET utf8mb4)
BEGIN
  DECLARE v_status VARCHAR(8);
  DECLARE v_last, v_agent BIGINT UNSIGNED;
  DECLARE v_name VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_feeds TEXT CHARACTER SET utf8mb4;
  DECLARE v_at VARCHAR(32) CHARACTER SET utf8mb4;

  START TRANSACTION;
  SELECT status, last_seq, agent_id, customer_name
  INTO v_status, v_last, v_agent, v_name
  FROM chats WHERE id = p_chat FOR UPDATE;
  IF v_status IS NULL THEN
    ROLLBACK;
    SELECT 'not_found', 0, NULL, NULL, NULL, NULL;
  ELSEIF p_kind = 'agent' AND NOT (v_agent <=> p_author) THEN
    ROLLBACK;
    SELECT 'not_mine', 0, NULL, NULL, NULL, NULL;
  ELSEIF v_status = 'ended' THEN
    ROLLBACK;
    SELECT 'ended', 0, NULL, NULL, NULL, NULL;
  ELSE
    SET v_name = COALESCE(p_name, v_name);
    CALL snak_append(p_chat, v_last + 1, 'message', p_kind, p_author,
      v_name, p_body, p_private, p_client, NULL,
      IF(p_kind = 'agent', p_author, 0), 'chat.message', p_feed, v_feeds,
      v_at);
    COMMIT;
    SELECT 'ok', v_last + 1, v_feeds, v_at, v_name, v_status;
  END IF;
END;
