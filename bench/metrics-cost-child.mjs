/* global process, console, performance, setTimeout */
// The measured side of bench/metrics-cost.ts: the built scraper or sampler alone in a process,
// its own CPU time over a window after a warm-up, as one JSON line.
//   node bench/metrics-cost-child.mjs scrape INTERVAL_MS SECONDS PORT,PORT,...
//   node bench/metrics-cost-child.mjs sample INTERVAL_MS SECONDS PID,PID,...
import {createResourceSampler} from '../dist/metrics/resource-sampler.js';
import {createMetricsScraper} from '../dist/metrics/scraper.js';

const [mode, interval, seconds, list] = process.argv.slice(2);
const intervalMs = Number(interval);
const numbers = list.split(',').map(Number);
let events = 0;
const counted = () => events++;
const stop =
	mode === 'scrape'
		? (() => {
				const scraper = createMetricsScraper({intervalMs, onMetrics: counted});
				scraper.setTargets(
					numbers.map((port, index) => ({node: `worker-${index}`, host: '127.0.0.1', port})),
				);
				return () => scraper.stop();
			})()
		: (() => {
				const sampler = createResourceSampler({intervalMs, onSample: counted});
				sampler.setPids(numbers);
				return () => sampler.stop();
			})();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Past the first scrapes (two 2 s apart) or the first samples.
await sleep(10_000);
const before = process.cpuUsage();
const eventsBefore = events;
const startedAt = performance.now();
await sleep(Number(seconds) * 1000);
const used = process.cpuUsage(before);
const cpuMs = (used.user + used.system) / 1000;
const calls = events - eventsBefore;
console.log(
	JSON.stringify({
		mode,
		intervalMs,
		calls,
		cpuPercent: (cpuMs / (performance.now() - startedAt)) * 100,
		msPerCall: cpuMs / calls,
	}),
);
stop();
