// A command line -> flag values, by meow over a flag table. Before meow sees argv, every flag is
// rewritten to `--long=value` or `--long`: meow (yargs-parser) would take the `-C` of
// `--worker-args -C` for a flag, throw on a repeated flag, and turn `--dry-run=yes` into false
// silently. So what it cannot say in one line is refused here first, naming what was typed.
import meow from 'meow';
import {InputError} from '../cluster/spec.js';
import type {FlagRow, FlagTable} from './flags.js';
import {meowFlags} from './flags.js';

export type ParsedCommandLine = {
	/** Each row's value: a string for a value flag, true/false for a switch, undefined if absent. */
	flags: Record<string, string | boolean | undefined>;
	/** How each given flag was spelled (`-W`, `--workers`), for messages that quote the operator. */
	spelled: Record<string, string>;
	/** The words that are not flags (the NODE... of the verbs to come). */
	words: string[];
};

export type CommandLineRules = {
	/** Appended to "unknown flag" and "unexpected argument" messages: where to look. */
	hint: string;
	/** Whether words other than flags are taken (no command takes any yet). */
	takesWords?: boolean;
};

type Given = {row: FlagRow; spelled: string; value?: string};

function findRow(
	table: FlagTable,
	token: string,
): {row?: FlagRow; spelled: string; inline?: string} {
	if (token.startsWith('--')) {
		const equals = token.indexOf('=');
		const spelled = equals === -1 ? token : token.slice(0, equals);
		const inline = equals === -1 ? undefined : token.slice(equals + 1);
		const row = table.find((candidate) => `--${candidate.long}` === spelled);
		return {...(row ? {row} : {}), spelled, ...(inline === undefined ? {} : {inline})};
	}
	const spelled = token.slice(0, 2);
	const rest = token.slice(2);
	const row = table.find(
		(candidate) => candidate.short !== undefined && `-${candidate.short}` === spelled,
	);
	// `-W3` and `-W=3` alike.
	const inline = rest === '' ? undefined : rest.replace(/^=/, '');
	return {...(row ? {row} : {}), spelled, ...(inline === undefined ? {} : {inline})};
}

/** The flags in order, checked; words apart. Throws InputError on the first problem. */
function readTokens(argv: readonly string[], table: FlagTable, rules: CommandLineRules) {
	const given: Given[] = [];
	const words: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		const isFlag = token.length > 1 && token.startsWith('-') && token !== '--';
		if (!isFlag) {
			if (!rules.takesWords)
				throw new InputError(`unexpected argument ${JSON.stringify(token)}: ${rules.hint}`);
			words.push(token);
			continue;
		}
		const {row, spelled, inline} = findRow(table, token);
		if (row === undefined) throw new InputError(`unknown flag ${spelled}: ${rules.hint}`);
		const earlier = given.find((flag) => flag.row === row);
		if (earlier !== undefined) {
			const also = earlier.spelled === spelled ? '' : ` (as ${earlier.spelled} before)`;
			throw new InputError(`${spelled} is given twice${also}; give it once`);
		}
		if (row.value === undefined) {
			if (inline !== undefined) throw new InputError(`${spelled} takes no value, got "${token}"`);
			given.push({row, spelled});
			if (row.endsParsing) break;
			continue;
		}
		let value = inline;
		if (value === undefined) {
			// The next word is the value whatever it looks like: `--worker-args -C`.
			if (index + 1 >= argv.length)
				throw new InputError(`${spelled} needs a value: ${row.expects ?? rules.hint}`);
			value = argv[++index]!;
		}
		given.push({row, spelled, value});
	}
	return {given, words};
}

/** yargs-parser strips one pair of quotes around an `=value`; a value must stay as typed. */
function keepQuotes(value: string): string {
	const first = value[0];
	return (first === '"' || first === "'") && value.at(-1) === first ? `"${value}"` : value;
}

/** meow sets process.title, which on Linux overwrites /proc/PID/cmdline: ps would lose the flags. */
function keepingProcessTitle<T>(run: () => T): T {
	const title = Object.getOwnPropertyDescriptor(process, 'title');
	if (title === undefined) return run();
	Object.defineProperty(process, 'title', {
		configurable: true,
		enumerable: true,
		get: () => title.value as string,
		set: () => undefined,
	});
	try {
		return run();
	} finally {
		Object.defineProperty(process, 'title', title);
	}
}

export function parseCommandLine(
	argv: readonly string[],
	table: FlagTable,
	rules: CommandLineRules,
): ParsedCommandLine {
	const {given, words} = readTokens(argv, table, rules);
	const canonical = given.map(({row, value}) =>
		value === undefined ? `--${row.long}` : `--${row.long}=${keepQuotes(value)}`,
	);
	const cli = keepingProcessTitle(() => {
		try {
			return meow({
				importMeta: import.meta,
				argv: [...canonical, '--', ...words],
				flags: meowFlags(table),
				pkg: {},
				description: false,
				autoHelp: false,
				autoVersion: false,
				allowUnknownFlags: true,
				inferType: false,
			});
		} catch (error) {
			// Not expected after the checks above; still one line, never a stack trace.
			throw new InputError(
				(error instanceof Error ? error.message : String(error)).split('\n')[0]!,
			);
		}
	});
	const flags: ParsedCommandLine['flags'] = {};
	for (const row of table) {
		const value: unknown = cli.flags[row.name];
		flags[row.name] = typeof value === 'string' || typeof value === 'boolean' ? value : undefined;
	}
	return {
		flags,
		spelled: Object.fromEntries(given.map(({row, spelled}) => [row.name, spelled])),
		words: cli.input.map(String),
	};
}
