// Placeholder replaced once the controller lands.
import type {ClusterSpec} from '../cluster/types.js';

export async function runCluster(_spec: ClusterSpec, _options: {headless: boolean; json: boolean; demo: boolean}): Promise<number> {
	process.stderr.write('zeek-tui: starting the cluster is not wired yet\n');
	return 1;
}
