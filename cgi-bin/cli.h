/* cli.h: the command-line tool for a real server: migrate, users, channels. */
#ifndef SNAK_CLI_H
#define SNAK_CLI_H

/* Runs `snak COMMAND ...` (not serve); returns the exit status. */
int	cli_main(int argc, char **argv);

#endif
