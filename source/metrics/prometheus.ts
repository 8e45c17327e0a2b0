// A parser of the Prometheus text exposition format (version 0.0.4), which Zeek's telemetry
// framework serves on each node's metrics port. Lenient the way a dashboard should be: a line it
// cannot read is reported in `errors` and skipped, and the rest of the scrape still counts.

export type PrometheusSample = {
	name: string;
	labels: Record<string, string>;
	/** NaN, Infinity and -Infinity included. */
	value: number;
	/** Milliseconds since the epoch, when the line carries one. */
	timestampMs?: number;
};

export type PrometheusFamily = {help?: string; type?: string};

export type PrometheusExposition = {
	samples: PrometheusSample[];
	/** From `# HELP` and `# TYPE` lines, by metric family name. */
	families: Map<string, PrometheusFamily>;
	/** Lines that were skipped, 1-based: the first MAX_ERRORS of them. */
	errors: {line: number; message: string}[];
	/** Set when parsing stopped at `maxSamples`: the samples are the first ones only. */
	truncated?: boolean;
};

/** Skipped lines reported, at most: a hostile answer may hold millions. */
export const MAX_ERRORS = 100;

class LineError extends Error {}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_VALUES = new Map([
	['nan', Number.NaN],
	['+nan', Number.NaN],
	['-nan', Number.NaN],
	['inf', Number.POSITIVE_INFINITY],
	['+inf', Number.POSITIVE_INFINITY],
	['-inf', Number.NEGATIVE_INFINITY],
	['infinity', Number.POSITIVE_INFINITY],
	['+infinity', Number.POSITIVE_INFINITY],
	['-infinity', Number.NEGATIVE_INFINITY],
]);
const METADATA = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/;

/** Go's strconv.ParseFloat spellings that exporters use; `Number()` alone would accept '' and '0x1'. */
export function parseSampleValue(text: string): number | undefined {
	if (DECIMAL.test(text)) return Number(text);
	return SPECIAL_VALUES.get(text.toLowerCase());
}

/** `\\` and `\n` in HELP text; `\"` too in label values. Any other backslash is kept as written. */
function unescape(text: string, quotes: boolean): string {
	return text.replace(/\\(.)/gs, (whole, char: string) => {
		if (char === '\\') return '\\';
		if (char === 'n') return '\n';
		if (char === '"' && quotes) return '"';
		return whole;
	});
}

/** A cursor over one sample line. */
class SampleLineParser {
	private index = 0;

	constructor(private readonly line: string) {}

	parse(): PrometheusSample {
		let name = this.peek() === '{' ? '' : this.match(METRIC_NAME, 'a metric name');
		const labels: Record<string, string> = Object.create(null) as Record<string, string>;
		let spaced = this.skipSpace();
		if (this.peek() === '{') {
			name = this.parseLabels(labels, name);
			spaced = this.skipSpace();
		}
		if (name === '') throw new LineError('no metric name');
		if (!spaced) throw new LineError('no space before the value');
		const value = parseSampleValue(this.token());
		if (value === undefined) throw new LineError('the value is not a number');
		const sample: PrometheusSample = {name, labels, value};
		if (this.skipSpace() && this.index < this.line.length) {
			const timestamp = this.token();
			if (!/^-?\d+$/.test(timestamp)) throw new LineError('the timestamp is not an integer');
			sample.timestampMs = Number(timestamp);
			this.skipSpace();
		}
		if (this.index < this.line.length) throw new LineError('unexpected text after the sample');
		return sample;
	}

	/** Returns the metric name, which the UTF-8 form (`{"name", label="v"}`) puts inside. */
	private parseLabels(labels: Record<string, string>, name: string): string {
		this.index++;
		for (;;) {
			this.skipSpace();
			if (this.peek() === '}') break;
			const quotedKey = this.peek() === '"';
			const key = quotedKey ? this.quoted() : this.match(LABEL_NAME, 'a label name');
			this.skipSpace();
			if (quotedKey && name === '' && (this.peek() === ',' || this.peek() === '}')) {
				name = key;
			} else {
				this.expect('=');
				this.skipSpace();
				labels[key] = this.quoted();
			}
			this.skipSpace();
			if (this.peek() === '}') break;
			this.expect(',');
		}
		this.index++;
		return name;
	}

	private quoted(): string {
		this.expect('"');
		const start = this.index;
		while (this.index < this.line.length && this.line[this.index] !== '"') {
			this.index += this.line[this.index] === '\\' ? 2 : 1;
		}
		if (this.index >= this.line.length) throw new LineError('a quoted string is not closed');
		const raw = this.line.slice(start, this.index);
		this.index++;
		return unescape(raw, true);
	}

	private match(pattern: RegExp, what: string): string {
		pattern.lastIndex = this.index;
		const found = pattern.exec(this.line);
		if (!found) throw new LineError(`expected ${what} at column ${this.index + 1}`);
		this.index += found[0].length;
		return found[0];
	}

	private expect(char: string): void {
		if (this.peek() !== char) throw new LineError(`expected '${char}' at column ${this.index + 1}`);
		this.index++;
	}

	private token(): string {
		const start = this.index;
		while (this.index < this.line.length && !/[ \t]/.test(this.line[this.index]!)) this.index++;
		return this.line.slice(start, this.index);
	}

	/** Returns whether there was any. */
	private skipSpace(): boolean {
		const start = this.index;
		while (this.line[this.index] === ' ' || this.line[this.index] === '\t') this.index++;
		return this.index > start;
	}

	private peek(): string | undefined {
		return this.line[this.index];
	}
}

/** The metric name a sample line starts with (up to `{` or a blank). */
function sampleName(line: string): string {
	let end = 0;
	while (end < line.length && line[end] !== '{' && line[end] !== ' ' && line[end] !== '\t') end++;
	return line.slice(0, end);
}

/** Adds one sample line (trimmed, not a comment) to `exposition`, or its error. */
function addSample(exposition: PrometheusExposition, line: string, lineNumber: number): void {
	try {
		exposition.samples.push(new SampleLineParser(line).parse());
	} catch (error) {
		if (!(error instanceof LineError)) throw error;
		if (exposition.errors.length < MAX_ERRORS)
			exposition.errors.push({line: lineNumber, message: error.message});
	}
}

const NAME_CHAR = /[a-zA-Z0-9_:]/;
const BLANK = /\s/;

/**
 * Where the lines that start with one of `names` start, in text order: found by searching the
 * text for each name, not by splitting it, since a Zeek node serves hundreds of series and a
 * scrape reads six (splitting a 60 KB answer into lines was most of a scrape's cost).
 */
function linesStartingWith(text: string, names: ReadonlySet<string>): number[] {
	const starts: number[] = [];
	for (const name of names) {
		if (name === '') continue;
		for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + name.length)) {
			// A longer name (`..._total_extra`) is another metric.
			if (NAME_CHAR.test(text.charAt(at + name.length))) continue;
			let start = at;
			while (start > 0 && text[start - 1] !== '\n' && BLANK.test(text[start - 1]!)) start--;
			if (start === 0 || text[start - 1] === '\n') starts.push(start);
		}
	}
	return starts.sort((first, second) => first - second);
}

/** The sample lines of `only`, as the line-by-line reading would take them. */
function parseOnly(
	text: string,
	only: ReadonlySet<string>,
	maxSamples: number,
	exposition: PrometheusExposition,
): void {
	let lineNumber = 1;
	let counted = 0;
	let read = 0;
	for (const start of linesStartingWith(text, only)) {
		const end = text.indexOf('\n', start);
		const line = text
			.slice(start, end === -1 ? undefined : end)
			.replace(/\r$/, '')
			.trim();
		if (!only.has(sampleName(line))) continue;
		if (read >= maxSamples) {
			exposition.truncated = true;
			return;
		}
		read++;
		// Line numbers only matter for errors, and are counted up to each line once.
		for (
			let at = text.indexOf('\n', counted);
			at !== -1 && at < start;
			at = text.indexOf('\n', at + 1)
		) {
			lineNumber++;
			counted = at + 1;
		}
		addSample(exposition, line, lineNumber);
	}
}

/**
 * With `only`, samples of other metrics are skipped unparsed (and so never reported as errors),
 * and so is the metadata: a Zeek node serves hundreds of series, a scrape reads six. With
 * `maxSamples`, at most that many sample lines are read and `truncated` says there were more.
 */
export function parsePrometheusText(
	text: string,
	options: {only?: ReadonlySet<string>; maxSamples?: number} = {},
): PrometheusExposition {
	const {only, maxSamples = Number.POSITIVE_INFINITY} = options;
	const exposition: PrometheusExposition = {samples: [], families: new Map(), errors: []};
	if (only) {
		parseOnly(text, only, maxSamples, exposition);
		return exposition;
	}
	const lines = text.split('\n');
	let read = 0;
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index]!.replace(/\r$/, '').trim();
		if (line === '') continue;
		if (line.startsWith('#')) {
			const metadata = METADATA.exec(line);
			if (!metadata) continue; // an ordinary comment
			const [, keyword, name, rest = ''] = metadata as unknown as [string, string, string, string?];
			const family = exposition.families.get(name) ?? {};
			if (keyword === 'HELP') family.help = unescape(rest, false);
			else family.type = rest.trim();
			exposition.families.set(name, family);
			continue;
		}
		if (read >= maxSamples) {
			exposition.truncated = true;
			break;
		}
		read++;
		addSample(exposition, line, index + 1);
	}
	return exposition;
}
