// tsc does not set the executable bit; the bin and the simulator need it.
import {chmodSync} from 'node:fs';

for (const file of ['dist/cli.js', 'dist/demo/zeek-sim.js']) {
	try {
		chmodSync(file, 0o755);
	} catch (error) {
		if (error.code !== 'ENOENT') throw error;
	}
}
