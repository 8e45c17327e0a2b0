// `zeek-tui --help`: usage and examples around the Options block of the cluster flag table.
import {CLUSTER_FLAGS, optionsHelp} from './flags.js';

const USAGE = `Usage
  $ zeek-tui [options]              start the cluster and open the TUI
  $ zeek-tui --headless [options]   supervise in the foreground without a TUI,
                                    one event per line (for systemd and scripts)
  $ zeek-tui --demo [options]       the TUI on the bundled simulated cluster (no Zeek needed)
  $ zeek-tui --dry-run [options]    print each node's argv, cwd, environment, CPUs; start nothing
  $ zeek-tui layout [flags]         write cluster-layout.zeek like zeek-cluster-layout-generator
                                    (zeek-tui layout --help)`;

const NOTES = `Argument strings are split on blanks like an unquoted shell variable (quotes are kept as
typed), never run by a shell. A value may start with a dash: --worker-args -C.
An empty environment variable counts as unset.
Exit codes: 0 after a clean stop, 2 for bad input, 1 for anything else.`;

const EXAMPLES = `Examples
  $ zeek-tui --demo
  $ zeek-tui -W 8 -i af_packet::eth0 --pin-workers 2-9 --spool-dir /var/spool/zeek
  $ ZEEK_WORKERS=2 zeek-tui --headless --json
  $ zeek-tui --dry-run --layout /etc/zeek/cluster-layout.zeek
  $ zeek-tui layout -W 2 -o spool/cluster-layout.zeek`;

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');

/** The help text, two spaces in, under the package's description when there is one. */
export function clusterHelp(description: string | undefined): string {
	const options = `Options (each defaults to the environment variable of Zeek's supervisor.sh)\n${optionsHelp(
		CLUSTER_FLAGS,
		{column: 27, defaults: 'environment', width: 98},
	)}`;
	const body = [USAGE, options, NOTES, EXAMPLES].join('\n\n');
	return `${description ? `${description}\n\n` : ''}${indent(body)}\n\n`;
}
