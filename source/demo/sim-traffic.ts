// Simulated packet counters and the Prometheus text zeek serves on its metrics port.
// Counters advance lazily from the clock (on each scrape or report), so an idle node
// costs no timer, and the rate seen between two scrapes is what was configured.

export type TrafficRate = {
	packetsPerSecond: number;
	/** dropped / (received + dropped), as zeek reports it. */
	dropFraction: number;
	/** Each step is scaled by a random factor in [1 - jitter, 1 + jitter]. */
	jitter: number;
};

export type PacketStats = {received: number; dropped: number; link: number};

export class Traffic {
	private received = 0;
	private dropped = 0;
	private last: number | undefined;

	constructor(
		private readonly rate: TrafficRate,
		private readonly random: () => number = Math.random,
	) {}

	/** Packets start flowing at `now` (epoch ms): zeek opened its packet source. */
	start(now: number): void {
		this.last ??= now;
	}

	get capturing(): boolean {
		return this.last !== undefined;
	}

	advance(now: number): void {
		if (this.last === undefined || now <= this.last) return;
		const seconds = (now - this.last) / 1000;
		this.last = now;
		const {packetsPerSecond, dropFraction, jitter} = this.rate;
		const received = packetsPerSecond * seconds * (1 + jitter * (2 * this.random() - 1));
		this.received += received;
		this.dropped += (received * dropFraction) / (1 - dropFraction);
	}

	stats(now: number): PacketStats {
		this.advance(now);
		const received = Math.floor(this.received);
		const dropped = Math.floor(this.dropped);
		return {received, dropped, link: received + dropped};
	}
}

/** Zeek's line at exit: `N packets received on interface IF, K (x%) dropped, M (y%) not processed`. */
export function packetSummaryLine(stats: PacketStats, iface: string): string {
	const droppedPercent =
		stats.dropped > 0 ? (stats.dropped / (stats.received + stats.dropped)) * 100 : 0;
	return `${stats.received} packets received on interface ${iface}, ${stats.dropped} (${droppedPercent.toFixed(2)}%) dropped, 0 (0.00%) not processed`;
}

export type MetricsSample = {
	node: string;
	packets: PacketStats;
	/** Network time behind wall-clock time. */
	lagSeconds: number;
	sessions: {tcp: number; udp: number; icmp: number};
	residentBytes: number;
	cpuSeconds: number;
	startTimeSeconds: number;
};

type Metric = {
	name: string;
	type: 'counter' | 'gauge';
	help: string;
	series: {labels?: Record<string, string>; value: number}[];
};

/** Prometheus text exposition (format 0.0.4), with zeek's metric names and its `node` label. */
export function renderMetrics(sample: MetricsSample): string {
	const {packets, sessions} = sample;
	const metrics: Metric[] = [
		{
			name: 'process_cpu_seconds_total',
			type: 'counter',
			help: 'Total user and system CPU time spent in seconds.',
			series: [{value: sample.cpuSeconds}],
		},
		{
			name: 'process_resident_memory_bytes',
			type: 'gauge',
			help: 'Resident memory size',
			series: [{value: sample.residentBytes}],
		},
		{
			name: 'process_start_time_seconds',
			type: 'gauge',
			help: 'Process start time',
			series: [{value: sample.startTimeSeconds}],
		},
		{
			name: 'zeek_active_sessions',
			type: 'gauge',
			help: 'Current number of active sessions',
			series: Object.entries(sessions).map(([protocol, value]) => ({labels: {protocol}, value})),
		},
		{
			name: 'zeek_net_dropped_packets_total',
			type: 'counter',
			help: 'Total number of packets dropped',
			series: [{value: packets.dropped}],
		},
		{
			name: 'zeek_net_link_packets_total',
			type: 'counter',
			help: 'Total number of packets on the packet source link before filtering',
			series: [{value: packets.link}],
		},
		{
			name: 'zeek_net_packet_lag_seconds',
			type: 'gauge',
			help: 'Difference of network time and wallclock time in seconds.',
			series: [{value: sample.lagSeconds}],
		},
		{
			name: 'zeek_net_received_packets_total',
			type: 'counter',
			help: 'Total number of packets received',
			series: [{value: packets.received}],
		},
		{
			name: 'zeek_version_info',
			type: 'gauge',
			help: 'The Zeek version',
			series: [
				{
					labels: {major: '8', minor: '1', patch: '0', version_string: '8.1.0-zeek-sim'},
					value: 1,
				},
			],
		},
	];
	const lines: string[] = [];
	for (const metric of metrics) {
		lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
		for (const {labels, value} of metric.series) {
			const all = {...labels, node: sample.node};
			const text = Object.entries(all)
				.map(([key, label]) => `${key}="${escapeLabel(label)}"`)
				.join(',');
			lines.push(`${metric.name}{${text}} ${value}`);
		}
	}
	return lines.join('\n') + '\n';
}

function escapeLabel(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
