// zeekctl.cfg as ZeekControl's config.py reads it: `Key = value` lines, keys case-insensitive,
// typed by zeekctl's option table, the same refusals. Only what a node's plan needs is kept typed.
import {NodeCfgError} from './ini.js';

type OptionType = 'bool' | 'int' | 'string';

// zeekctl's options (ZeekControl/options.py) that are not strings, and the renamed ones.
const TYPED: Record<string, OptionType> = {
	debug: 'bool',
	havenfs: 'bool',
	savetraces: 'bool',
	stoptimeout: 'int',
	commtimeout: 'int',
	commandtimeout: 'int',
	zeekport: 'int',
	metricsport: 'int',
	logrotationinterval: 'int',
	compresslogs: 'bool',
	compresslogsinflight: 'int',
	privateaddressspaceislocal: 'bool',
	mailalarmsinterval: 'int',
	mailconnectionsummary: 'bool',
	mailhostupdown: 'bool',
	mailarchivelogfail: 'bool',
	mailreceivingpackets: 'bool',
	mindiskspace: 'int',
	statslogenable: 'bool',
	statslogexpireinterval: 'int',
	crashexpireinterval: 'int',
	statuscmdshowall: 'bool',
	stopwait: 'bool',
	pfringclusterid: 'int',
	pfringfirstappinstance: 'int',
	pcapsnaplen: 'int',
	pcapbufsize: 'int',
	usewebsocket: 'bool',
	websocketport: 'int',
	websockettimeout: 'int',
	standalone: 'bool',
	logexpireminutes: 'int',
};

const STRINGS =
	'clusterbackend controltopic metricsaddress logdir makearchivename compresscmd compressextension ' +
	'sendmail mailsubjectprefix mailreplyto mailto mailfrom mailalarmsto logexpireinterval keeplogs ' +
	'zeekargs memlimit env_vars timefmt prefixes sitepolicyscripts croncmd pfringclustertype ' +
	'timemachinehost timemachineport websockethost websocketurl zeekbase version os time bindir zeek ' +
	'scriptsdir postprocdir helperdir cfgdir spooldir brokerdbdir fileextractdir policydir staticdir ' +
	'libdir libdir64 libdirinternal tmpdir tmpexecdir statsdir plugindir pluginzeekdir tracesummary ' +
	'capstatspath nodecfg localnetscfg statefile lockfile debuglog statslog defaultstoredir ' +
	'sitepolicypath sitepluginpath policydirsiteinstall policydirsiteinstallauto zeekctlconfigdir ' +
	'clustertopicseparator';

const LEGACY: Record<string, string> = {
	broport: 'ZeekPort',
	broargs: 'ZeekArgs',
	brobase: 'ZeekBase',
	bro: 'Zeek',
	pluginbrodir: 'PluginZeekDir',
	broctlconfigdir: 'ZeekCtlConfigDir',
};
const LEGACY_SPELLING: Record<string, string> = {
	broport: 'BroPort',
	broargs: 'BroArgs',
	brobase: 'BroBase',
	bro: 'Bro',
	pluginbrodir: 'PluginBroDir',
	broctlconfigdir: 'BroCtlConfigDir',
};

const KNOWN = new Set([...Object.keys(TYPED), ...STRINGS.split(' '), ...Object.keys(LEGACY)]);

/** The settings of zeekctl.cfg that shape the nodes, with zeekctl's defaults. */
export type ZeekctlSettings = {
	zeekPort: number;
	metricsPort: number;
	metricsAddress: string;
	clusterBackend: string;
	zeekArgs: string;
	envVars: string;
	prefixes: string;
	sitePolicyScripts: string;
	saveTraces: boolean;
	pfringClusterId: number;
	pfringClusterType: string;
	pfringFirstAppInstance: number;
	interfacePrefix: string;
	interfaceSuffix: string;
};

export type ZeekctlCfg = {settings: ZeekctlSettings; warnings: string[]};

function toBool(key: string, value: string): boolean {
	const lower = value.toLowerCase();
	if (lower === '1' || lower === 'true') return true;
	if (lower === '0' || lower === 'false') return false;
	throw new NodeCfgError(`zeekctl option '${key}' has invalid value '${value}' for type bool`);
}

/** Python's int(): blanks around, a sign, digits with single underscores between them. */
export function pythonInt(text: string): number | undefined {
	const match = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(text);
	if (!match) return undefined;
	const value = Number(match[2]!.replaceAll('_', ''));
	return match[1] === '-' ? -value : value;
}

function toInt(key: string, value: string): number {
	const parsed = pythonInt(value);
	if (parsed === undefined)
		throw new NodeCfgError(`zeekctl option '${key}' has invalid value '${value}' for type int`);
	return parsed;
}

/** Reads zeekctl.cfg text; undefined text gives zeekctl's defaults. */
export function parseZeekctlCfg(text: string | undefined): ZeekctlCfg {
	const warnings: string[] = [];
	const config = new Map<string, string>();
	for (const rawLine of (text ?? '').split('\n')) {
		const line = rawLine.trim();
		if (line === '' || line.startsWith('#')) continue;
		const equals = line.indexOf('=');
		if (equals === -1) throw new NodeCfgError(`zeekctl config syntax error: ${line}`);
		const key = line.slice(0, equals).trim().toLowerCase();
		if (!key.includes('.') && !KNOWN.has(key)) {
			warnings.push(`ignoring unrecognized zeekctl option: ${key}`);
			continue;
		}
		config.set(key, line.slice(equals + 1).trim());
	}
	const typed = new Map<string, string | number | boolean>();
	for (const [key, value] of config) {
		const type = TYPED[key];
		typed.set(
			key,
			type === 'bool' ? toBool(key, value) : type === 'int' ? toInt(key, value) : value,
		);
	}
	for (const key of config.keys()) {
		const legacy = LEGACY[key];
		if (legacy)
			throw new NodeCfgError(
				`option '${LEGACY_SPELLING[key]}' is no longer supported, please use '${legacy}' instead`,
			);
	}
	for (const [key, value] of config) {
		if (!/^[a-z0-9_.]+$/.test(key))
			throw new NodeCfgError(
				`zeekctl option name "${key}" contains invalid characters (allowed characters: a-z, 0-9, ., and _)`,
			);
		if (/^[0-9]/.test(key))
			throw new NodeCfgError(`zeekctl option name "${key}" cannot start with a number`);
		if (
			typeof typed.get(key) === 'string' &&
			((value.startsWith('"') && value.endsWith('"')) ||
				(value.startsWith("'") && value.endsWith("'")))
		)
			throw new NodeCfgError(`value of zeekctl option "${key}" cannot be wrapped in quotes`);
	}
	const string = (key: string, fallback: string) => (config.get(key) ?? fallback) as string;
	const number = (key: string, fallback: number) => (typed.get(key) ?? fallback) as number;
	return {
		settings: {
			zeekPort: number('zeekport', 27_760),
			metricsPort: number('metricsport', 9991),
			metricsAddress: string('metricsaddress', '0.0.0.0'),
			clusterBackend: string('clusterbackend', 'ZeroMQ'),
			zeekArgs: string('zeekargs', ''),
			envVars: string('env_vars', ''),
			prefixes: string('prefixes', 'local'),
			sitePolicyScripts: string('sitepolicyscripts', 'local.zeek'),
			saveTraces: (typed.get('savetraces') ?? false) as boolean,
			pfringClusterId: number('pfringclusterid', 21),
			pfringClusterType: string('pfringclustertype', '4-tuple'),
			pfringFirstAppInstance: number('pfringfirstappinstance', 0),
			interfacePrefix: string('lb_custom.interfaceprefix', ''),
			interfaceSuffix: string('lb_custom.interfacesuffix', ''),
		},
		warnings,
	};
}
