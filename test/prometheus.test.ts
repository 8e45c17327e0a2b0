import {describe, expect, it} from 'vitest';
import {MAX_ERRORS, parsePrometheusText, parseSampleValue} from '../source/metrics/prometheus.js';

const samplesOf = (text: string) => parsePrometheusText(text).samples;

describe('parsePrometheusText', () => {
	it('reads a Zeek-like scrape: HELP, TYPE, labels, counters and gauges', () => {
		const text = [
			'# HELP zeek_net_received_packets_total Total number of packets received',
			'# TYPE zeek_net_received_packets_total counter',
			'zeek_net_received_packets_total{endpoint="",node="worker-1"} 1234',
			'# HELP zeek_net_packet_lag_seconds Difference between network time and wall time',
			'# TYPE zeek_net_packet_lag_seconds gauge',
			'zeek_net_packet_lag_seconds{node="worker-1"} 0.0125',
			'',
		].join('\n');
		const exposition = parsePrometheusText(text);
		expect(exposition.errors).toEqual([]);
		expect(exposition.samples).toEqual([
			{
				name: 'zeek_net_received_packets_total',
				labels: {endpoint: '', node: 'worker-1'},
				value: 1234,
			},
			{name: 'zeek_net_packet_lag_seconds', labels: {node: 'worker-1'}, value: 0.0125},
		]);
		expect(exposition.families.get('zeek_net_received_packets_total')).toEqual({
			help: 'Total number of packets received',
			type: 'counter',
		});
		expect(exposition.families.get('zeek_net_packet_lag_seconds')?.type).toBe('gauge');
	});

	it('reads a sample without labels, and one with empty braces', () => {
		expect(samplesOf('up 1\nprocess_open_fds{} 17\n')).toEqual([
			{name: 'up', labels: {}, value: 1},
			{name: 'process_open_fds', labels: {}, value: 17},
		]);
	});

	it('unescapes quotes, backslashes and newlines in label values', () => {
		const [sample] = samplesOf(
			String.raw`msg{quote="say \"hi\"",path="C:\\zeek\\logs",multi="one\ntwo",odd="a\tb"} 1`,
		);
		expect(sample!.labels).toEqual({
			quote: 'say "hi"',
			path: 'C:\\zeek\\logs',
			multi: 'one\ntwo',
			// Not an escape the format knows: kept as written.
			odd: 'a\\tb',
		});
	});

	it('keeps a brace, comma or equals sign inside a label value', () => {
		const [sample] = samplesOf('m{a="x,y}=z",b="}"} 2');
		expect(sample!.labels).toEqual({a: 'x,y}=z', b: '}'});
	});

	it('accepts a trailing comma and white space inside the braces', () => {
		const [sample] = samplesOf('m{ a = "1" ,\tb="2", } 3');
		expect(sample).toEqual({name: 'm', labels: {a: '1', b: '2'}, value: 3});
	});

	it('reads NaN, +Inf and -Inf', () => {
		const [nan, plus, minus, bare] = samplesOf('a NaN\nb{le="+Inf"} +Inf\nc -Inf\nd Inf\n');
		expect(nan!.value).toBeNaN();
		expect(plus).toEqual({name: 'b', labels: {le: '+Inf'}, value: Number.POSITIVE_INFINITY});
		expect(minus!.value).toBe(Number.NEGATIVE_INFINITY);
		expect(bare!.value).toBe(Number.POSITIVE_INFINITY);
	});

	it('reads exponents and signs', () => {
		expect(samplesOf('a 1.5e+06\nb -2\nc .5\nd 7E-3').map((sample) => sample.value)).toEqual([
			1.5e6, -2, 0.5, 0.007,
		]);
	});

	it('reads optional timestamps', () => {
		expect(samplesOf('a 1 1700000000000\nb{x="y"} 2   -5\nc 3')).toEqual([
			{name: 'a', labels: {}, value: 1, timestampMs: 1_700_000_000_000},
			{name: 'b', labels: {x: 'y'}, value: 2, timestampMs: -5},
			{name: 'c', labels: {}, value: 3},
		]);
	});

	it('skips comments and blank lines, and tolerates CRLF', () => {
		const text = '# just a comment\r\n\r\n   \r\n#TYPE not metadata\r\na 1\r\n# EOF\r\n';
		const exposition = parsePrometheusText(text);
		expect(exposition.samples).toEqual([{name: 'a', labels: {}, value: 1}]);
		expect(exposition.families.size).toBe(0);
		expect(exposition.errors).toEqual([]);
	});

	it('unescapes backslashes and newlines in HELP text', () => {
		const exposition = parsePrometheusText(
			String.raw`# HELP m A path C:\\x and a\nsecond line, "quotes" as is` + '\nm 1\n',
		);
		expect(exposition.families.get('m')?.help).toBe(
			'A path C:\\x and a\nsecond line, "quotes" as is',
		);
	});

	it('reads names with colons and the UTF-8 quoted form of names', () => {
		expect(samplesOf('job:rate:5m 4\n{"zeek.packets", "node.name"="w-1"} 5')).toEqual([
			{name: 'job:rate:5m', labels: {}, value: 4},
			{name: 'zeek.packets', labels: {'node.name': 'w-1'}, value: 5},
		]);
	});

	it('does not let a label called __proto__ change the labels object', () => {
		const [sample] = samplesOf('m{__proto__="x"} 1');
		expect(Object.keys(sample!.labels)).toEqual(['__proto__']);
		expect(sample!.labels['__proto__']).toBe('x');
	});

	it('skips malformed lines, says which, and keeps the rest', () => {
		const text = [
			'good 1',
			'no_value',
			'bad_value abc',
			'm{unclosed="x} 1',
			'm{a="1" b="2"} 1',
			'm 1 1.5',
			'm 1 2 extra',
			'9starts_with_digit 1',
			'also_good{a="b"} 2',
		].join('\n');
		const exposition = parsePrometheusText(text);
		expect(exposition.samples.map((sample) => sample.name)).toEqual(['good', 'also_good']);
		expect(exposition.errors.map((error) => error.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
	});

	it('with only, parses just the named series and skips the rest unread, broken lines too', () => {
		const text = [
			'# HELP zeek_net_received_packets_total Total number of packets received',
			'# TYPE zeek_net_received_packets_total counter',
			'zeek_net_received_packets_total{node="worker-1"} 1234',
			'zeek_log_writes_total{log="conn",node="worker-1"} 99',
			'zeek_broken{node= 1',
			'zeek_net_received_packets_total_extra 5',
			'zeek_active_sessions 7',
		].join('\n');
		const only = new Set(['zeek_net_received_packets_total', 'zeek_active_sessions']);
		const exposition = parsePrometheusText(text, {only});
		expect(exposition.samples.map((sample) => [sample.name, sample.value])).toEqual([
			['zeek_net_received_packets_total', 1234],
			['zeek_active_sessions', 7],
		]);
		expect(exposition.samples[0]!.labels).toEqual({node: 'worker-1'});
		expect(exposition.errors).toEqual([]);
		expect(exposition.families.size).toBe(0);
	});

	it('with only, finds the same samples and errors (with their line numbers) as reading every line', () => {
		const text = [
			'# HELP zeek_active_sessions Active sessions',
			'# TYPE zeek_active_sessions gauge',
			'zeek_active_sessions{protocol="tcp"} 3',
			'  zeek_active_sessions{protocol="udp"} 4\r',
			'zeek_other{name="zeek_active_sessions"} 9',
			'zeek_active_sessions_total 5',
			'zeek_active_sessions{broken 1',
			'\tzeek_net_packet_lag_seconds 0.25',
			'xzeek_net_packet_lag_seconds 7',
			'zeek_net_packet_lag_seconds',
			'{"zeek_active_sessions", protocol="icmp"} 2',
			'zeek_active_sessions 6 1700000000000',
		].join('\n');
		const only = new Set(['zeek_active_sessions', 'zeek_net_packet_lag_seconds']);
		// Every line on its own through the plain reading, kept when it names a metric of `only`.
		const expected = {samples: [] as unknown[], errors: [] as unknown[]};
		text.split('\n').forEach((raw, index) => {
			const line = raw.replace(/\r$/, '').trim();
			if (line.startsWith('#') || !only.has(/^[^{ \t]*/.exec(line)![0])) return;
			const alone = parsePrometheusText(line);
			expected.samples.push(...alone.samples);
			for (const error of alone.errors)
				expected.errors.push({line: index + 1, message: error.message});
		});
		const found = parsePrometheusText(text, {only});
		expect(found.samples).toEqual(expected.samples);
		expect(found.errors).toEqual(expected.errors);
		expect(found.samples.map((sample) => sample.value)).toEqual([3, 4, 0.25, 6]);
		expect(found.errors.map((error) => error.line)).toEqual([7, 10]);
	});

	it('with maxSamples, stops there and says the answer was cut short', () => {
		const text = Array.from({length: 50}, (_, index) => `zeek_x{i="${index}"} ${index}`).join('\n');
		const cut = parsePrometheusText(text, {maxSamples: 10});
		expect(cut.samples).toHaveLength(10);
		expect(cut.truncated).toBe(true);
		const whole = parsePrometheusText(text, {maxSamples: 50});
		expect(whole.samples).toHaveLength(50);
		expect(whole.truncated).toBeUndefined();
	});

	it('reports the first MAX_ERRORS broken lines only', () => {
		const exposition = parsePrometheusText('zeek_broken{\n'.repeat(5000));
		expect(exposition.errors).toHaveLength(MAX_ERRORS);
		expect(exposition.errors[0]!.line).toBe(1);
	});
});

describe('parseSampleValue', () => {
	it('refuses what Number() would wrongly accept', () => {
		expect(parseSampleValue('')).toBeUndefined();
		expect(parseSampleValue('0x10')).toBeUndefined();
		expect(parseSampleValue('1_000')).toBeUndefined();
		expect(parseSampleValue('12')).toBe(12);
	});
});
