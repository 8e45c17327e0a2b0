// How the screen's rows are shared between the table, the log panes and a dialog. Pure.

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
export const HEADER_HEIGHT = 1;
/** A message or filter line, then the key hints. */
export const FOOTER_HEIGHT = 2;
/** Column titles and two nodes. */
export const TABLE_MIN_HEIGHT = 3;
/** A title line and two log lines. */
export const PANE_MIN_HEIGHT = 3;

export function isTooSmall(size: {columns: number; rows: number}): boolean {
	return size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
}

/**
 * The root box is one row shorter than the terminal: an Ink frame as tall as the terminal makes
 * Ink clear the whole screen on every render.
 */
export function rootHeight(rows: number): number {
	return rows - 1;
}

export type ScreenLayout = {
	/** Rows between header and footer. */
	bodyHeight: number;
	/** Rows of the table, its title row included; 0 when help covers the body. */
	tableHeight: number;
	/** One entry per open pane, in order; panes that do not fit get 0 and are not drawn. */
	paneHeights: number[];
	/** How many panes fit at their minimum height beside a minimal table. */
	maxPanes: number;
};

export function computeLayout(input: {
	rows: number;
	/** Table rows to show (nodes after the filter). */
	nodeCount: number;
	paneCount: number;
	/** Rows a dialog needs below the table; 'full' takes the whole body (help). */
	dialog?: number | 'full';
}): ScreenLayout {
	const bodyHeight = Math.max(0, rootHeight(input.rows) - HEADER_HEIGHT - FOOTER_HEIGHT);
	const maxPanes = Math.max(0, Math.floor((bodyHeight - TABLE_MIN_HEIGHT) / PANE_MIN_HEIGHT));
	// An empty table still shows its titles and one line saying why it is empty.
	const tableNeed = Math.max(1, input.nodeCount) + 1;
	const noPanes = new Array<number>(input.paneCount).fill(0);

	if (input.dialog === 'full') return {bodyHeight, tableHeight: 0, paneHeights: noPanes, maxPanes};
	if (input.dialog !== undefined) {
		// The dialog never hides the table entirely: the selected node stays in view above it.
		const tableHeight = Math.max(
			Math.min(tableNeed, TABLE_MIN_HEIGHT),
			Math.min(tableNeed, bodyHeight - input.dialog),
		);
		return {bodyHeight, tableHeight, paneHeights: noPanes, maxPanes};
	}

	const shown = Math.min(input.paneCount, maxPanes);
	if (shown === 0) {
		return {
			bodyHeight,
			tableHeight: Math.min(tableNeed, bodyHeight),
			paneHeights: noPanes,
			maxPanes,
		};
	}
	// With panes open a long table gives up half the body, never its last rows' minimum.
	const tableHeight = Math.min(
		tableNeed,
		bodyHeight - shown * PANE_MIN_HEIGHT,
		Math.max(TABLE_MIN_HEIGHT, Math.ceil(bodyHeight / 2)),
	);
	const share = bodyHeight - tableHeight;
	const paneHeights = noPanes.map((_, index) => {
		if (index >= shown) return 0;
		return Math.floor(share / shown) + (index < share % shown ? 1 : 0);
	});
	return {bodyHeight, tableHeight, paneHeights, maxPanes};
}

/** The first row to draw so that row `index` is inside a window of `height` rows. */
export function scrollToShow(offset: number, index: number, height: number, count: number): number {
	if (height <= 0) return 0;
	let first = offset;
	if (index < first) first = index;
	if (index >= first + height) first = index - height + 1;
	return Math.max(0, Math.min(first, count - height));
}
