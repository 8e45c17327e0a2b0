// The effects the node.cfg expansion needs: name lookups through the system's resolver
// (getaddrinfo, by way of `getent ahosts`) and this machine's addresses.
import {execFileSync} from 'node:child_process';
import {isIP} from 'node:net';
import os from 'node:os';
import type {HostFacts} from './expand.js';

const LOOKUP_TIMEOUT_MS = 5000;

function resolve(host: string): string[] | {error: string} {
	if (isIP(host) !== 0) return [host];
	try {
		// `--` so that a host= starting with a dash is a name, not an option of getent.
		const output = execFileSync('getent', ['ahosts', '--', host], {
			encoding: 'utf8',
			timeout: LOOKUP_TIMEOUT_MS,
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		const addresses: string[] = [];
		for (const line of output.split('\n')) {
			const [address, kind] = line.split(/\s+/);
			if (address && kind === 'STREAM' && !addresses.includes(address)) addresses.push(address);
		}
		return addresses.length > 0 ? addresses : {error: 'Name or service not known'};
	} catch {
		return {error: 'Name or service not known'};
	}
}

function localAddresses(): string[] {
	const addresses = Object.values(os.networkInterfaces())
		.flatMap((entries) => entries ?? [])
		.map((entry) => entry.address.split('%')[0]!);
	// zeekctl's own fallback when it finds no interface addresses.
	return addresses.length > 0 ? [...new Set(addresses)] : ['127.0.0.1', '::1'];
}

/** This hostname counts as this machine even where it resolves to 127.0.1.1 (Debian's /etc/hosts). */
export function systemHostFacts(): HostFacts {
	// One lookup per host: a node.cfg names the same few hosts in every section.
	const known = new Map<string, ReturnType<typeof resolve>>();
	const cached = (host: string) => {
		if (!known.has(host)) known.set(host, resolve(host));
		return known.get(host)!;
	};
	const own = cached(os.hostname());
	const addresses = [...localAddresses(), ...(Array.isArray(own) ? own : [])];
	return {resolve: cached, localAddresses: [...new Set(addresses)]};
}
