// The screen's reducer and key interpretation, without a terminal.
import {describe, expect, test} from 'vitest';
import {
	createScreenStore,
	initialScreenState,
	type NodeRef,
	type ScreenAction,
	screenReducer,
	type ScreenState,
	selectedIndex,
	visibleNodes,
} from '../source/ui/use-screen-state.js';
import {interpretKey, type KeyContext, type Press} from '../source/ui/use-keys.js';
import type {NodeState} from '../source/cluster/types.js';

const NODES: NodeRef[] = [
	{name: 'manager', type: 'manager'},
	{name: 'logger-1', type: 'logger'},
	{name: 'proxy-1', type: 'proxy'},
	{name: 'worker-1', type: 'worker'},
	{name: 'worker-2', type: 'worker'},
];

const apply = (state: ScreenState, ...actions: ScreenAction[]) =>
	actions.reduce(screenReducer, state);
const start = () => initialScreenState(NODES);
const down = (viewport = 10): ScreenAction => ({type: 'move', by: 1, viewport});

describe('screenReducer', () => {
	test('starts on the first node, table focused, nothing open', () => {
		const state = start();
		expect(state.selected).toBe('manager');
		expect(state.focusedPane).toBeUndefined();
		expect(state.panes).toEqual([]);
		expect(state.dialog).toBeUndefined();
	});

	test('moving selects by name and stops at both ends', () => {
		const state = apply(start(), down(), down(), down());
		expect(state.selected).toBe('worker-1');
		expect(apply(state, down(), down(), down()).selected).toBe('worker-2');
		expect(apply(state, {type: 'move', by: -Infinity, viewport: 10}).selected).toBe('manager');
	});

	test('moving scrolls the table so the selection stays in the viewport', () => {
		const state = apply(start(), down(2), down(2), down(2));
		expect(selectedIndex(state)).toBe(3);
		expect(state.tableScroll).toBe(2);
		expect(apply(state, {type: 'move', by: -3, viewport: 2}).tableScroll).toBe(0);
	});

	test('the filter matches name or type, and moves the selection onto a match', () => {
		let state = apply(start(), {type: 'filter-start'}, {type: 'filter-type', text: 'work'});
		expect(visibleNodes(state).map((node) => node.name)).toEqual(['worker-1', 'worker-2']);
		expect(state.selected).toBe('worker-1');
		state = apply(state, {type: 'filter-backspace'}, {type: 'filter-backspace'});
		expect(state.filter).toBe('wo');
		state = apply(start(), {type: 'filter-type', text: 'PROXY'});
		expect(visibleNodes(state).map((node) => node.name)).toEqual(['proxy-1']);
		state = apply(state, {type: 'filter-clear'});
		expect(visibleNodes(state)).toHaveLength(5);
		expect(state.selected).toBe('proxy-1');
	});

	test('log panes open in table order, close again, and give back focus when closed', () => {
		let state = apply(
			start(),
			{type: 'toggle-pane', node: 'worker-2', maxPanes: 5},
			{type: 'toggle-pane', node: 'manager', maxPanes: 5},
		);
		expect(state.panes.map((pane) => pane.node)).toEqual(['manager', 'worker-2']);
		state = apply(state, {type: 'focus-next'}, {type: 'focus-next'});
		expect(state.focusedPane).toBe('worker-2');
		state = apply(state, {type: 'focus-next'});
		expect(state.focusedPane).toBeUndefined();
		state = apply(state, {type: 'focus-next'}, {type: 'toggle-pane', node: 'manager', maxPanes: 5});
		expect(state.panes.map((pane) => pane.node)).toEqual(['worker-2']);
		expect(state.focusedPane).toBeUndefined();
	});

	test('a pane beyond the room left is refused with a message', () => {
		const state = apply(
			start(),
			{type: 'toggle-pane', node: 'manager', maxPanes: 1},
			{type: 'toggle-pane', node: 'logger-1', maxPanes: 1},
		);
		expect(state.panes).toHaveLength(1);
		expect(state.message?.tone).toBe('error');
	});

	test('pane scrolling stays between the tail and the oldest line; follow returns to the tail', () => {
		let state = apply(start(), {type: 'toggle-pane', node: 'manager', maxPanes: 5});
		const scroll = (by: number): ScreenAction => ({
			type: 'scroll-pane',
			node: 'manager',
			by,
			maxScroll: 30,
		});
		state = apply(state, scroll(20), scroll(20));
		expect(state.panes[0]!.scroll).toBe(30);
		state = apply(state, scroll(-50));
		expect(state.panes[0]!.scroll).toBe(0);
		state = apply(state, scroll(7), {type: 'follow', node: 'manager'});
		expect(state.panes[0]!.scroll).toBe(0);
	});

	test('a new node list drops panes and focus of vanished nodes and keeps the selection valid', () => {
		let state = apply(
			start(),
			down(),
			{type: 'toggle-pane', node: 'logger-1', maxPanes: 5},
			{type: 'focus-next'},
		);
		state = apply(state, {type: 'nodes', nodes: NODES.filter((node) => node.name !== 'logger-1')});
		expect(state.panes).toEqual([]);
		expect(state.focusedPane).toBeUndefined();
		expect(state.selected).toBe('manager');
	});

	test('the affinity editor toggles, moves within bounds, and records failures', () => {
		let state = apply(start(), {
			type: 'open-dialog',
			dialog: {
				kind: 'affinity',
				node: 'worker-1',
				online: [0, 1, 2, 3],
				ticked: [2],
				cursor: 0,
				busy: false,
			},
		});
		state = apply(
			state,
			{type: 'affinity-toggle'},
			{type: 'affinity-move', by: -1},
			{type: 'affinity-move', by: 3},
			{type: 'affinity-move', by: 3},
			{type: 'affinity-toggle'},
		);
		expect(state.dialog).toMatchObject({cursor: 3, ticked: [0, 2, 3]});
		state = apply(state, {type: 'affinity-applying'}, {type: 'affinity-failed', error: 'EPERM'});
		expect(state.dialog).toMatchObject({busy: false, error: 'EPERM'});
	});

	test('the details scroll within 0 and the given end, and only while open', () => {
		const open = apply(start(), {
			type: 'open-dialog',
			dialog: {kind: 'detail', node: 'worker-2', scroll: 0},
		});
		const scroll = (by: number, maxScroll = 7): ScreenAction => ({
			type: 'detail-scroll',
			by,
			maxScroll,
		});
		expect(apply(open, scroll(5)).dialog).toEqual({kind: 'detail', node: 'worker-2', scroll: 5});
		expect(apply(open, scroll(5), scroll(5)).dialog).toMatchObject({scroll: 7});
		expect(apply(open, scroll(Infinity), scroll(-3)).dialog).toMatchObject({scroll: 4});
		expect(apply(open, scroll(-Infinity)).dialog).toMatchObject({scroll: 0});
		// The details got shorter meanwhile: the next key brings the view back within them.
		expect(apply(open, scroll(7), scroll(1, 3)).dialog).toMatchObject({scroll: 3});
		const closed = start();
		expect(apply(closed, scroll(5))).toBe(closed);
	});

	test('the store hands every action the state the previous one made', () => {
		const store = createScreenStore(start());
		let notified = 0;
		store.subscribe(() => notified++);
		store.dispatch(down());
		store.dispatch(down());
		expect(store.get().selected).toBe('proxy-1');
		expect(notified).toBe(2);
		// An action that changes nothing does not wake anyone.
		store.dispatch({type: 'clear-message'});
		expect(notified).toBe(2);
	});
});

describe('interpretKey', () => {
	const states: Record<string, NodeState> = {
		manager: 'running',
		'logger-1': 'running',
		'proxy-1': 'stopped',
		'worker-1': 'crashed',
		'worker-2': 'backoff',
	};
	const context: KeyContext = {
		nodeState: (name) => states[name],
		tablePage: 10,
		panePage: () => 5,
		paneLineCount: () => 100,
		maxPanes: 5,
		detailPage: 8,
		detailMaxScroll: 20,
		tooSmall: false,
	};
	const text = (value: string): Press => ({text: value});
	/** Applies the actions of each key in turn; returns the final state and every effect. */
	const keysIn =
		(within: KeyContext) =>
		(state: ScreenState, ...presses: Press[]) => {
			const effects = [];
			for (const press of presses) {
				const outcome = interpretKey(state, press, within);
				state = apply(state, ...outcome.actions);
				if (outcome.effect) effects.push(outcome.effect);
			}
			return {state, effects};
		};
	const keys = keysIn(context);

	test('node commands go to the selected node', () => {
		const {effects} = keys(start(), text('j'), text('r'), text('x'), text('X'));
		expect(effects).toEqual([
			{kind: 'node-command', command: 'restart', node: 'logger-1'},
			{kind: 'node-command', command: 'stop', node: 'logger-1'},
			{kind: 'node-command', command: 'kill', node: 'logger-1'},
		]);
	});

	test('s starts stopped, crashed and backing-off nodes, not running ones', () => {
		expect(keys(start(), text('s')).effects).toEqual([]);
		expect(keys(start(), text('j'), text('j'), text('s')).effects).toEqual([
			{kind: 'node-command', command: 'start', node: 'proxy-1'},
		]);
		expect(keys(start(), {special: 'end'}, text('s')).effects).toEqual([
			{kind: 'node-command', command: 'start', node: 'worker-2'},
		]);
	});

	test('q and R ask first; q inside any dialog closes it and never quits', () => {
		let {state, effects} = keys(start(), text('q'));
		expect(state.dialog).toEqual({kind: 'confirm', question: 'quit'});
		({state, effects} = keys(state, text('q')));
		expect(state.dialog).toBeUndefined();
		expect(effects).toEqual([]);
		({state, effects} = keys(start(), text('?'), text('q'), text('R'), text('q')));
		expect(state.dialog).toBeUndefined();
		expect(effects).toEqual([]);
		({state, effects} = keys(start(), text('R'), text('y')));
		expect(effects).toEqual([{kind: 'restart-all'}]);
		({state, effects} = keys(start(), text('q'), text('y')));
		expect(state.dialog).toEqual({kind: 'quitting', killing: false});
		expect(effects).toEqual([{kind: 'quit'}]);
	});

	const interrupt: Press = {special: 'interrupt'};

	test('Ctrl-C asks what q asks, from anywhere, even a dialog or the filter', () => {
		for (const before of [[], [text('?')], [text('/')], [text('i')], [text('R')]] as Press[][]) {
			const {state, effects} = keys(start(), ...before, interrupt);
			expect(effects).toEqual([]);
			expect(state.dialog).toEqual({kind: 'confirm', question: 'quit'});
			// Asked again, the question stays; y answers it, n closes it.
			expect(keys(state, interrupt).state.dialog).toEqual(state.dialog);
			expect(keys(state, interrupt, text('y')).effects).toEqual([{kind: 'quit'}]);
			expect(keys(state, text('n')).state.dialog).toBeUndefined();
		}
	});

	test('while the cluster stops, Ctrl-C kills what is left, once; other keys do nothing', () => {
		let {state, effects} = keys(start(), text('q'), text('y'), text('q'), text('y'), text('x'));
		expect(effects).toEqual([{kind: 'quit'}]);
		({state, effects} = keys(state, interrupt));
		expect(effects).toEqual([{kind: 'kill-all'}]);
		expect(state.dialog).toEqual({kind: 'quitting', killing: true});
		expect(keys(state, interrupt, text('q'), text('y')).effects).toEqual([]);
	});

	test('keys typed into the filter are filter text, not commands', () => {
		const {state, effects} = keys(start(), text('/'), text('x'), text('r'), text('q'));
		expect(effects).toEqual([]);
		expect(state.filter).toBe('xrq');
		expect(state.dialog).toBeUndefined();
		const kept = keys(start(), text('/'), text('w'), {special: 'enter'}, text('x'));
		expect(kept.state.filter).toBe('w');
		expect(kept.effects).toEqual([{kind: 'node-command', command: 'stop', node: 'worker-1'}]);
	});

	test('the affinity editor refuses an empty selection and pins the ticked CPUs', () => {
		const open = apply(start(), {
			type: 'open-dialog',
			dialog: {
				kind: 'affinity',
				node: 'worker-1',
				online: [0, 1, 2, 3],
				ticked: [1],
				cursor: 1,
				busy: false,
			},
		});
		let {state, effects} = keys(open, {special: 'space'}, {special: 'enter'});
		expect(effects).toEqual([]);
		expect(state.dialog).toMatchObject({kind: 'affinity', error: 'Tick at least one CPU.'});
		({state, effects} = keys(open, {special: 'right'}, {special: 'space'}, {special: 'enter'}));
		expect(effects).toEqual([{kind: 'pin', node: 'worker-1', cpus: [1, 2]}]);
		expect(state.dialog).toMatchObject({busy: true});
	});

	test('PgUp/PgDn scroll the focused pane by its height, the table otherwise', () => {
		let {state} = keys(
			start(),
			{special: 'enter'},
			{special: 'tab'},
			{special: 'page-up'},
			{special: 'page-up'},
		);
		expect(state.panes[0]).toEqual({node: 'manager', scroll: 10});
		({state} = keys(state, {special: 'page-down'}));
		expect(state.panes[0]!.scroll).toBe(5);
		({state} = keys(state, text('f')));
		expect(state.panes[0]!.scroll).toBe(0);
		({state} = keys(start(), {special: 'page-down'}));
		expect(state.selected).toBe('worker-2');
	});

	test('i opens the selected node in detail; keys there scroll it and never reach the cluster', () => {
		let {state, effects} = keys(start(), text('j'), text('j'), text('j'), text('i'));
		expect(state.dialog).toEqual({kind: 'detail', node: 'worker-1', scroll: 0});
		({state, effects} = keys(
			state,
			text('j'),
			{special: 'down'},
			{special: 'page-down'},
			text('k'),
			text('r'),
			text('x'),
			text('a'),
			{special: 'enter'},
		));
		expect(effects).toEqual([]);
		expect(state.dialog).toEqual({kind: 'detail', node: 'worker-1', scroll: 9});
		// Scrolling stops at both ends.
		({state} = keys(state, {special: 'end'}, {special: 'page-down'}));
		expect(state.dialog).toMatchObject({scroll: 20});
		({state} = keys(state, {special: 'page-up'}, {special: 'page-up'}, {special: 'page-up'}));
		expect(state.dialog).toMatchObject({scroll: 0});
		expect(state.selected).toBe('worker-1');
		expect(state.panes).toEqual([]);
	});

	test('Esc, i and q close the details; q there never quits', () => {
		for (const close of [{special: 'escape'}, text('i'), text('q')] as Press[]) {
			const {state, effects} = keys(start(), text('i'), close);
			expect(state.dialog).toBeUndefined();
			expect(effects).toEqual([]);
		}
	});

	test('below the minimum size only quitting works: q y, Ctrl-C y, then Ctrl-C kills', () => {
		const smallKeys = keysIn({...context, tooSmall: true});
		expect(smallKeys(start(), text('j'), text('r'), text('x'), text('?')).effects).toEqual([]);
		expect(smallKeys(start(), text('j')).state.selected).toBe('manager');
		expect(smallKeys(start(), text('q'), text('n')).state.dialog).toBeUndefined();
		expect(smallKeys(start(), text('q'), {special: 'escape'}).state.dialog).toBeUndefined();
		expect(smallKeys(start(), text('q'), text('y'), interrupt).effects).toEqual([
			{kind: 'quit'},
			{kind: 'kill-all'},
		]);
		expect(smallKeys(start(), interrupt, text('y')).effects).toEqual([{kind: 'quit'}]);
	});
});
