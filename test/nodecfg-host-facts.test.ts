// The real lookups behind --node-cfg: getaddrinfo through getent, this machine's addresses.
import os from 'node:os';
import {describe, expect, it} from 'vitest';
import {systemHostFacts} from '../source/nodecfg/host-facts.js';

describe('systemHostFacts', () => {
	const facts = systemHostFacts();

	it('resolves names as getaddrinfo does and takes addresses as they are', () => {
		expect(facts.resolve('localhost')).toContain('127.0.0.1');
		expect(facts.resolve('192.0.2.77')).toEqual(['192.0.2.77']);
		expect(facts.resolve('fe80::1')).toEqual(['fe80::1']);
	});

	it('gives the resolver reason for a name that does not resolve, also one like an option', () => {
		expect(facts.resolve('nowhere.invalid')).toEqual({error: 'Name or service not known'});
		expect(facts.resolve('--help')).toEqual({error: 'Name or service not known'});
	});

	it("counts loopback, the interfaces' addresses and this hostname's as this machine", () => {
		expect(facts.localAddresses).toContain('127.0.0.1');
		const own = facts.resolve(os.hostname());
		for (const address of Array.isArray(own) ? own : [])
			expect(facts.localAddresses).toContain(address);
	});
});
