// Every key of the screen, once: the help dialog lists these, the footer shows the short form.

export type KeyHelp = {keys: string; action: string};

export const KEY_HELP: readonly KeyHelp[] = [
	{keys: '↑ ↓  k j', action: 'select a node'},
	{keys: 'Home End', action: 'first / last node'},
	{keys: 'Enter  l', action: "toggle the selected node's log pane"},
	{keys: 'r', action: 'restart the selected node (graceful)'},
	{keys: 's', action: 'start the selected node if it is stopped (now, if backing off)'},
	{keys: 'x', action: 'stop the selected node (SIGTERM, then SIGKILL after the timeout)'},
	{keys: 'X', action: 'kill the selected node now (SIGKILL)'},
	{keys: 'i', action: 'details: argv, cwd, exits, crash reports, history; Esc closes'},
	{keys: 'a', action: 'CPU affinity of the selected node: Space ticks, Enter applies'},
	{keys: 'R', action: 'restart the whole cluster in order (asks first)'},
	{keys: '/', action: 'filter by name or type; Enter keeps it, Esc clears it'},
	{keys: 'PgUp PgDn', action: 'scroll the focused log pane (the table, when it has focus)'},
	{keys: 'f', action: 'follow the focused log pane again'},
	{keys: 'Tab', action: 'move focus between the table and the log panes'},
	{keys: '?', action: 'this help (? or Esc closes it)'},
	{keys: 'q', action: 'stop the cluster and quit (asks first)'},
	{keys: 'Ctrl-C', action: 'as q; while the cluster stops: kill what is left now'},
];

/** The footer's short forms, most useful first; `? help` and `q quit` always fit. */
const FOOTER_HINTS = [
	'↑↓ select',
	'⏎ log',
	'r restart',
	's start',
	'x stop',
	'X kill',
	'a cpus',
	'i detail',
	'/ filter',
	'Tab focus',
	'R restart all',
];
const FOOTER_ALWAYS = ['? help', 'q quit'];
const HINT_GAP = '  ';

/** As many hints as fit in `width` columns, in order, ending with help and quit. */
export function footerHints(width: number): string {
	const shown = [...FOOTER_ALWAYS];
	let length = shown.join(HINT_GAP).length;
	for (const [index, hint] of FOOTER_HINTS.entries()) {
		if (length + HINT_GAP.length + hint.length > width) break;
		shown.splice(index, 0, hint);
		length += HINT_GAP.length + hint.length;
	}
	return shown.join(HINT_GAP);
}
