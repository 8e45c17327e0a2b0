// The Ink root: wires a ClusterClient to the views (DESIGN §4). Data flows one way: snapshots and
// log lines in, throttled; keys out as screen actions and client commands.
import {useMemo} from 'react';
import {Box, Text} from 'ink';
import type {ClusterClient, ClusterSnapshot, NodeSnapshot} from './cluster/types.js';
import {AffinityEditor, affinityEditorHeight} from './ui/affinity-editor.js';
import {Confirm, CONFIRM_HEIGHT} from './ui/confirm.js';
import {isUp} from './ui/format.js';
import {Footer} from './ui/footer.js';
import {Header} from './ui/header.js';
import {Help} from './ui/help.js';
import {
	computeLayout,
	HEADER_HEIGHT,
	isTooSmall,
	MIN_COLUMNS,
	MIN_ROWS,
	rootHeight,
} from './ui/layout.js';
import {type LivePainter, structureKey} from './ui/live-painter.js';
import {LogPane} from './ui/log-pane.js';
import {detailLines, detailPage, NodeDetail, useCrashReports} from './ui/node-detail.js';
import {tableText} from './ui/node-columns.js';
import {NodeTable, tableViewport} from './ui/node-table.js';
import {colorDisabledByEnv, createTheme, ThemeContext} from './ui/theme.js';
import {useKeys} from './ui/use-keys.js';
import {useFrameEvery, useFrameRequest, useLiveView} from './ui/use-live-view.js';
import {useLogSources} from './ui/use-log-sources.js';
import {
	type Dialog,
	useMessageExpiry,
	useScreenState,
	visibleNodes,
} from './ui/use-screen-state.js';
import {useTerminalSize} from './ui/use-terminal-size.js';
import {SNAPSHOT_INTERVAL_MS, useThrottledSource} from './ui/use-throttled-source.js';
import {stopProgress} from './ui/stop-progress.js';

export type AppProps = {
	client: ClusterClient;
	/** Fixed size instead of the terminal's (tests: ink-testing-library reports no rows). */
	columns?: number;
	rows?: number;
	/** Default: the NO_COLOR environment variable. */
	noColor?: boolean;
	/** Time source for uptimes and countdowns. */
	clock?: () => number;
	/**
	 * Paints the figures between frames (a real terminal). Without it, as in component tests,
	 * every new snapshot draws a frame.
	 */
	live?: LivePainter;
};

const readSnapshot = (client: ClusterClient): ClusterSnapshot => client.snapshot();

const QUESTIONS = {
	quit: 'Stop the cluster and quit? (y/n)',
	'restart-all': 'Restart the whole cluster? (y/n)',
} as const;

/** Something on screen counts seconds: an uptime or a countdown. */
const countsTime = (nodes: readonly NodeSnapshot[]) =>
	nodes.some(
		(node) => (isUp(node) && node.startedAt !== undefined) || node.killAt || node.restartAt,
	);

export function App({client, columns, rows, noColor, clock = Date.now, live}: AppProps) {
	const size = useTerminalSize({columns, rows});
	const tooSmall = isTooSmall(size);
	const requestFrame = useFrameRequest();
	// Uptimes and countdowns advance with the data, in the same frame once a second; with a live
	// painter, frames come on request and each one draws the latest snapshot.
	const throttled = useThrottledSource(client, readSnapshot, {
		intervalMs: SNAPSHOT_INTERVAL_MS,
		heartbeat: !live && !tooSmall && countsTime(client.snapshot().nodes),
		paused: live !== undefined,
	});
	const snapshot = live ? client.snapshot() : throttled;
	const {state, store} = useScreenState(snapshot.nodes);
	const dialog = state.dialog;
	useMessageExpiry(store, state.message);
	const theme = useMemo(() => createTheme(!(noColor ?? colorDisabledByEnv())), [noColor]);

	const byName = new Map(snapshot.nodes.map((node) => [node.name, node]));
	const shownNodes = visibleNodes(state).flatMap((ref) => byName.get(ref.name) ?? []);
	const layout = computeLayout({
		rows: size.rows,
		nodeCount: shownNodes.length,
		paneCount: state.panes.length,
		dialog: dialogRows(dialog, size.columns),
	});
	const sources = useLogSources(
		client,
		state.panes.map((pane) => pane.node),
	);
	const paneHeight = (node: string) =>
		layout.paneHeights[state.panes.findIndex((pane) => pane.node === node)] ?? 0;
	const now = clock();
	const tableShown = dialog?.kind !== 'help' && dialog?.kind !== 'detail';
	const table = tableText(shownNodes, now, size.columns);
	const {first, viewport} = tableViewport(
		shownNodes,
		state.selected,
		layout.tableHeight,
		state.tableScroll,
	);
	const tableFocused = state.focusedPane === undefined && !dialog;
	// The painter covers the header and the table; the detail view's figures need frames, and so
	// does the stop's countdown (also below the minimum size, where nothing else counts).
	useFrameEvery(
		(live !== undefined && dialog?.kind === 'detail') || dialog?.kind === 'quitting',
		SNAPSHOT_INTERVAL_MS,
		requestFrame,
	);
	useLiveView(
		live,
		live && !tooSmall
			? {
					width: size.columns,
					theme,
					header: true,
					...(tableShown && layout.tableHeight > 0
						? {
								table: {
									top: HEADER_HEIGHT + 1,
									names: shownNodes.map((node) => node.name),
									first,
									viewport,
									selected: state.selected,
									focused: tableFocused,
									titles: table.titles.join(' '),
								},
							}
						: {}),
					structure: structureKey(snapshot),
				}
			: undefined,
		requestFrame,
	);

	const detailNode = dialog?.kind === 'detail' ? byName.get(dialog.node) : undefined;
	const crashReports = useCrashReports(client, detailNode);
	const details = detailNode ? detailLines(detailNode, crashReports, now, size.columns) : [];
	const detailRows = detailPage(layout.bodyHeight);

	useKeys(client, store, {
		nodeState: (name) => client.snapshot().nodes.find((node) => node.name === name)?.state,
		tablePage: Math.max(1, layout.tableHeight - 1),
		panePage: (node) => Math.max(1, paneHeight(node) - 1),
		paneLineCount: (node) => sources.get(node)?.lines().length ?? 0,
		maxPanes: layout.maxPanes,
		detailPage: detailRows,
		detailMaxScroll: Math.max(0, details.length - detailRows),
		tooSmall,
	});

	const stopText =
		dialog?.kind === 'quitting' ? stopProgress(snapshot.nodes, now, dialog.killing) : undefined;

	if (tooSmall) {
		return (
			<Box flexDirection="column" width={size.columns} height={Math.max(1, rootHeight(size.rows))}>
				<Text>
					{`Terminal too small: ${size.columns}x${size.rows}. zeek-tui needs at least ${MIN_COLUMNS}x${MIN_ROWS}; q quits.`}
				</Text>
				{dialog?.kind === 'confirm' && <Text>{QUESTIONS[dialog.question]}</Text>}
				{stopText !== undefined && <Text>{stopText}</Text>}
			</Box>
		);
	}

	return (
		<ThemeContext.Provider value={theme}>
			<Box flexDirection="column" width={size.columns} height={rootHeight(size.rows)}>
				<Header snapshot={snapshot} />
				<Box flexDirection="column" height={layout.bodyHeight} flexShrink={0} overflowY="hidden">
					{dialog?.kind === 'help' && <Help height={layout.bodyHeight} />}
					{dialog?.kind === 'detail' && (
						<NodeDetail
							node={detailNode}
							name={dialog.node}
							lines={details}
							scroll={dialog.scroll}
							height={layout.bodyHeight}
						/>
					)}
					{tableShown && (
						<NodeTable
							nodes={shownNodes}
							table={table}
							first={first}
							viewport={viewport}
							selected={state.selected}
							focused={tableFocused}
							filter={state.filter}
							height={layout.tableHeight}
						/>
					)}
					{dialog?.kind === 'confirm' && <Confirm text={QUESTIONS[dialog.question]} />}
					{stopText !== undefined && <Confirm text={stopText} />}
					{dialog?.kind === 'affinity' && (
						<AffinityEditor
							dialog={dialog}
							width={size.columns}
							height={Math.min(
								affinityEditorHeight(dialog, size.columns),
								layout.bodyHeight - layout.tableHeight,
							)}
						/>
					)}
					{state.panes.map((pane, index) => {
						const height = layout.paneHeights[index] ?? 0;
						const source = sources.get(pane.node);
						if (height === 0 || !source) return null;
						return (
							<LogPane
								key={pane.node}
								node={pane.node}
								source={source}
								height={height}
								width={size.columns}
								scroll={pane.scroll}
								focused={state.focusedPane === pane.node}
							/>
						);
					})}
				</Box>
				<Footer state={state} width={size.columns} />
			</Box>
		</ThemeContext.Provider>
	);
}

/** Rows the open dialog takes below the table. */
function dialogRows(dialog: Dialog | undefined, columns: number): number | 'full' | undefined {
	switch (dialog?.kind) {
		case undefined:
			return undefined;
		case 'help':
		case 'detail':
			return 'full';
		case 'confirm':
		case 'quitting':
			return CONFIRM_HEIGHT;
		case 'affinity':
			return affinityEditorHeight(dialog, columns);
	}
}
