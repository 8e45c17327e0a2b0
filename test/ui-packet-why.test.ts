// The detail view says why a running worker shows no packet figures.
import {describe, expect, test} from 'vitest';
import {detailLines} from '../source/ui/node-detail.js';
import {fakeNode} from './fake-cluster-client.js';

const NOW = 1_700_000_000_000;
const shown = (node: ReturnType<typeof fakeNode>) =>
	detailLines(node, [], NOW, 80).map((line) => line.map((part) => part.text).join(''));
const running = {state: 'running' as const, pid: 42, startedAt: NOW - 60_000};

describe('why a worker has no packet figures', () => {
	test('no metrics at all: not scraped yet, no $metrics_port, or zeek cannot serve it', () => {
		const lines = shown(fakeNode('worker-1', 'worker', running));
		const said = lines.join(' ').replace(/\s+/g, ' ');
		expect(said).toContain('no packet figures without metrics: not scraped yet (every 15 s)');
		expect(said).toContain('no $metrics_port in the layout');
		expect(said).toContain('(see its stderr.log)');
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(76);
	});

	test('metrics but no rate: two scrapes, and policy/misc/stats must be loaded', () => {
		const lines = shown(
			fakeNode('worker-1', 'worker', {...running, metrics: {at: NOW, activeSessions: 3}}),
		);
		expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(
			'zeek counts packets only with policy/misc/stats loaded (local.zeek loads it)',
		);
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(76);
	});

	test('a rate but no drops or lag: that takes live traffic', () => {
		const lines = shown(
			fakeNode('worker-1', 'worker', {...running, metrics: {at: NOW, packetsPerSecond: 10}}),
		);
		expect(lines.join(' ')).toContain('drops and lag come only from a live packet source');
	});

	test('nothing to explain for a worker with every figure, or for a manager', () => {
		const full = {at: NOW, packetsPerSecond: 10, dropPercent: 0, lagSeconds: 0.1};
		expect(
			shown(fakeNode('worker-1', 'worker', {...running, metrics: full})).join(' '),
		).not.toMatch(/packet figures|packet rate|drops and lag/);
		expect(shown(fakeNode('manager', 'manager', running)).join(' ')).not.toMatch(/packet/);
	});
});
