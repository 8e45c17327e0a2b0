// The stopping dialog's line, from node states and deadlines alone.
import {expect, test} from 'vitest';
import {stopProgress} from '../source/ui/stop-progress.js';
import {fakeNode, sampleSnapshot} from './fake-cluster-client.js';

const NOW = 1_700_000_000_000;

const withStates = (patches: Record<string, Parameters<typeof fakeNode>[2]>) =>
	sampleSnapshot().nodes.map((node) => ({...node, ...patches[node.name]}));

test('before any node stops, and between stages: the cluster, and the hint', () => {
	expect(stopProgress(sampleSnapshot().nodes, NOW, false)).toBe(
		'Stopping the cluster… Ctrl-C kills now.',
	);
});

test('the stage, how many are left, and the earliest SIGKILL, rounded up', () => {
	const nodes = withStates({
		'worker-1': {state: 'stopping', killAt: NOW + 59_001},
		'worker-2': {state: 'stopping', killAt: NOW + 30_500},
	});
	expect(stopProgress(nodes, NOW, false)).toBe(
		'Stopping workers (2 left): SIGKILL in 31s. Ctrl-C kills now.',
	);
});

test('nodes of several types stopping at once are named in stop order', () => {
	const nodes = withStates({
		'logger-1': {state: 'stopping', killAt: NOW + 5000},
		'proxy-1': {state: 'stopping', killAt: NOW + 5000},
		manager: {state: 'stopping', killAt: NOW + 5000},
	});
	expect(stopProgress(nodes, NOW, false)).toBe(
		'Stopping proxies, manager, loggers (3 left): SIGKILL in 5s. Ctrl-C kills now.',
	);
});

test('after the deadline SIGKILL was sent: waiting for the exit; after Ctrl-C: killing', () => {
	const nodes = withStates({'worker-1': {state: 'stopping', killAt: undefined}});
	expect(stopProgress(nodes, NOW, false)).toBe(
		'Stopping workers (1 left): killed, waiting for the exit. Ctrl-C kills now.',
	);
	expect(stopProgress(nodes, NOW, true)).toBe('Killing every node (1 left)…');
	expect(stopProgress(sampleSnapshot().nodes, NOW, true)).toBe('Killing every node…');
});
