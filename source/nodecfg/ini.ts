// node.cfg as Python's configparser reads it for zeekctl: sections, `key=value` or `key: value`,
// lower-cased keys, indented continuation lines, a [DEFAULT] section, %-interpolation.

/** What zeekctl refuses, in zeekctl's words (or configparser's, which zeekctl lets through). */
export class NodeCfgError extends Error {}

export type IniSection = {
	name: string;
	/** Keys lower-cased, [DEFAULT]'s first, in file order, values interpolated. */
	entries: Array<[key: string, value: string]>;
};

const DEFAULT_SECTION = 'DEFAULT';
const MAX_INTERPOLATION_DEPTH = 10;

type RawSection = {name: string; values: Map<string, string[]>};

/** Python's repr() of a string, as configparser's messages quote lines and values. */
export function pythonRepr(text: string): string {
	const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
	const escaped = text
		.replaceAll('\\', '\\\\')
		.replaceAll('\n', '\\n')
		.replaceAll('\t', '\\t')
		.replaceAll('\r', '\\r');
	return `${quote}${quote === "'" ? escaped.replaceAll("'", "\\'") : escaped}${quote}`;
}

/** configparser's "[line  N]": the number right-aligned in two columns. */
function at(file: string, line: number): string {
	return `While reading from '${file}' [line ${String(line).padStart(2)}]`;
}

export function parseIni(text: string, file: string): IniSection[] {
	const defaults: RawSection = {name: DEFAULT_SECTION, values: new Map()};
	const sections = new Map<string, RawSection>();
	const added = new Set<string>();
	let current: RawSection | undefined;
	let option: string | undefined;
	let indentLevel = 0;
	const errors: string[] = [];

	const lines = text.split('\n');
	if (lines.at(-1) === '') lines.pop();
	lines.forEach((rawLine, index) => {
		const lineNumber = index + 1;
		const line = rawLine.replace(/\r$/, '');
		const value = line.trim();
		const isComment = value.startsWith('#') || value.startsWith(';');
		if (value === '' || isComment) {
			// A blank line inside a value is kept (trailing ones are dropped when joining).
			if (!isComment && current && option !== undefined) current.values.get(option)?.push('');
			return;
		}
		const indent = /\S/.exec(line)?.index ?? 0;
		if (current && option !== undefined && indent > indentLevel) {
			current.values.get(option)!.push(value);
			return;
		}
		indentLevel = indent;
		const header = /^\[(.+)\]/.exec(value);
		if (header) {
			const name = header[1]!;
			if (sections.has(name)) {
				if (added.has(name))
					throw new NodeCfgError(`${at(file, lineNumber)}: section '${name}' already exists`);
				current = sections.get(name);
			} else if (name === DEFAULT_SECTION) {
				current = defaults;
			} else {
				current = {name, values: new Map()};
				sections.set(name, current);
			}
			added.add(name);
			option = undefined;
			return;
		}
		if (!current) {
			throw new NodeCfgError(
				`File contains no section headers. file: '${file}', line: ${lineNumber} ${pythonRepr(`${rawLine}\n`)}`,
			);
		}
		const assignment = /^(.*?)\s*([=:])\s*(.*)$/.exec(value);
		if (!assignment || assignment[1] === '') {
			errors.push(`[line ${String(lineNumber).padStart(2)}]: ${pythonRepr(`${rawLine}\n`)}`);
			return;
		}
		option = assignment[1]!.trimEnd().toLowerCase();
		const key = `${current.name}\u0000${option}`;
		if (added.has(key)) {
			throw new NodeCfgError(
				`${at(file, lineNumber)}: option '${option}' in section '${current.name}' already exists`,
			);
		}
		added.add(key);
		current.values.set(option, [assignment[3]!.trim()]);
	});
	if (errors.length > 0)
		throw new NodeCfgError(`Source contains parsing errors: '${file}' ${errors.join(' ')}`);

	const joined = (section: RawSection) =>
		new Map([...section.values].map(([key, parts]) => [key, parts.join('\n').trimEnd()]));
	const defaultValues = joined(defaults);
	return [...sections.values()].map((section) => {
		const merged = new Map([...defaultValues, ...joined(section)]);
		return {
			name: section.name,
			entries: [...merged].map(([key, value]) => [
				key,
				interpolate(value, merged, section.name, key, 1),
			]),
		};
	});
}

/** configparser's BasicInterpolation: `%%` is `%`, `%(key)s` the value of key in the section. */
function interpolate(
	value: string,
	values: Map<string, string>,
	section: string,
	option: string,
	depth: number,
): string {
	if (depth > MAX_INTERPOLATION_DEPTH) {
		throw new NodeCfgError(
			`Recursion limit exceeded in value substitution: option '${option}' in section '${section}' contains an interpolation key which cannot be substituted in 10 steps. Raw value: ${pythonRepr(value)}`,
		);
	}
	let result = '';
	let rest = value;
	for (;;) {
		const percent = rest.indexOf('%');
		if (percent === -1) return result + rest;
		result += rest.slice(0, percent);
		rest = rest.slice(percent);
		if (rest.startsWith('%%')) {
			result += '%';
			rest = rest.slice(2);
			continue;
		}
		const reference = /^%\(([^)]+)\)s/.exec(rest);
		if (!reference) {
			throw new NodeCfgError(
				rest.startsWith('%(')
					? `bad interpolation variable reference ${pythonRepr(rest)}`
					: `'%' must be followed by '%' or '(', found: ${pythonRepr(rest)}`,
			);
		}
		const name = reference[1]!.toLowerCase();
		const referenced = values.get(name);
		if (referenced === undefined) {
			throw new NodeCfgError(
				`Bad value substitution: option '${option}' in section '${section}' contains an interpolation key '${name}' which is not a valid option name. Raw value: ${pythonRepr(value)}`,
			);
		}
		result += referenced.includes('%')
			? interpolate(referenced, values, section, option, depth + 1)
			: referenced;
		rest = rest.slice(reference[0].length);
	}
}
