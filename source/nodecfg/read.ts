// --node-cfg FILE: read node.cfg and the zeekctl.cfg beside it, expand, plan. Every refusal is
// an InputError naming the file, the node and the key, with zeekctl's reason.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, InputError, type GivenOption} from '../cluster/spec.js';
import {expandNodeCfg} from './expand.js';
import {systemHostFacts} from './host-facts.js';
import {NodeCfgError} from './ini.js';
import {planNodeCfg, type NodeCfgPlan, type NodeCfgPlanInput} from './plan.js';

type ReadOptions = Omit<NodeCfgPlanInput, 'expansion' | 'localAddresses'> & {cwd: string};

function readText(file: string): string | {code: string} {
	try {
		return readFileSync(file, 'utf8');
	} catch (error) {
		return {code: (error as NodeJS.ErrnoException).code ?? String(error)};
	}
}

export function readNodeCfgPlan(option: GivenOption, options: ReadOptions): NodeCfgPlan {
	const file = path.resolve(options.cwd, option.value);
	const nodeCfg = readText(file);
	if (typeof nodeCfg !== 'string')
		throw new InputError(
			`${describe(option)}: cannot read node config file: ${file} (${nodeCfg.code})`,
		);
	// zeekctl keeps node.cfg and zeekctl.cfg side by side in its etc directory.
	const zeekctlFile = path.join(path.dirname(file), 'zeekctl.cfg');
	const zeekctlCfg = readText(zeekctlFile);
	if (typeof zeekctlCfg !== 'string' && zeekctlCfg.code !== 'ENOENT')
		throw new InputError(`${zeekctlFile}: cannot read zeekctl.cfg (${zeekctlCfg.code})`);
	const facts = systemHostFacts();
	try {
		const expansion = expandNodeCfg(
			nodeCfg,
			typeof zeekctlCfg === 'string' ? zeekctlCfg : undefined,
			facts,
			file,
		);
		return planNodeCfg({...options, expansion, localAddresses: facts.localAddresses});
	} catch (error) {
		if (error instanceof NodeCfgError)
			throw new InputError(`${describe(option)}: ${error.message}`);
		throw error;
	}
}
