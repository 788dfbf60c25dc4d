/* config.h: settings from a file and the environment, read once at start. */
#ifndef SNAK_CONFIG_H
#define SNAK_CONFIG_H

struct config {
	char	 db_socket[256];	/* unix socket; empty: TCP */
	char	 db_host[256];
	int	 db_port;
	char	 db_user[64];
	char	 db_password[128];
	char	 db_name[64];
	char	 listen[256];		/* FastCGI socket path; empty: fd 0 */
	int	 threads;		/* accept threads */
	char	 templates[256];	/* templates/ folder */
	char	 schema[256];		/* schema/ folder */
	int	 max_parked;		/* long polls held at once */
	int	 hub_interval_ms;	/* how often other nodes' changes are read */
	char	 node[64];		/* this process's name in logs */
};

/* Read-only after config_load(). */
extern struct config cfg;

/*
 * Loads defaults, then the file named by SNAK_CONFIG (if set), then the
 * SNAK_* environment variables. Returns 0, or -1 with a message on stderr
 * for an unreadable file or a bad value.
 */
int	config_load(void);

/* Applies one "key = value" line; -1 for an unknown key or a bad value. */
int	config_set(const char *key, const char *value);

#endif
