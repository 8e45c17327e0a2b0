// A cgroup v2 per node where the machine lets zeek-tui make one (systemd's KillMode=control-group):
// whatever a node starts stays in its cgroup however it daemonizes (setsid, chdir, a cleared
// environment), and cgroup.kill ends them all at once. Where there is none (no cgroup2 mount, no
// right to write it, a kernel without cgroup.kill) the process group and the /proc scan do it
// alone. Layout: `<zeek-tui's own cgroup>/zeek-tui-<hash of the spool's path>/<node>`.
import {createHash} from 'node:crypto';
import {
	type Dirent,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	realpathSync,
	rmdirSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';

export type NodeCgroups = {
	/** The directory of the node's cgroup (made if missing), or undefined when it cannot be. */
	prepare(node: string): string | undefined;
	/** Moves `pid` into the cgroup `dir`; false when the kernel refused. */
	enter(dir: string, pid: number): boolean;
	/** Removes the spool's cgroup if no node cgroup is left in it. */
	release(): void;
};

/** The cgroup v2 mount point, from /proc/self/mountinfo (hybrid systems mount it at .../unified). */
function cgroup2Mount(): string | undefined {
	let text: string;
	try {
		text = readFileSync('/proc/self/mountinfo', 'utf8');
	} catch {
		return undefined;
	}
	for (const line of text.split('\n')) {
		const [before, after] = line.split(' - ');
		if (after?.split(' ')[0] === 'cgroup2') return before!.split(' ')[4];
	}
	return undefined;
}

/** `/proc/PID/cgroup`'s v2 line (`0::/path`) as a directory under the mount. */
export function cgroupOf(pid: number | 'self'): string | undefined {
	const mount = cgroup2Mount();
	if (!mount) return undefined;
	try {
		const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
			.split('\n')
			.find((each) => each.startsWith('0::'));
		return line === undefined ? undefined : path.join(mount, line.slice(3));
	} catch {
		return undefined;
	}
}

/** The parent of every node cgroup of this spool. */
export function spoolCgroupName(spoolDir: string): string {
	let real = spoolDir;
	try {
		real = realpathSync(spoolDir);
	} catch {
		// Not made yet: the path as given names it.
	}
	return `zeek-tui-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`;
}

/**
 * Per-node cgroups for this spool, or undefined where this machine does not allow them. Makes the
 * spool's cgroup to find out (a cgroup's cgroup.kill exists below the root only).
 */
export function openNodeCgroups(spoolDir: string): NodeCgroups | undefined {
	const own = cgroupOf('self');
	if (!own || !existsSync(path.join(own, 'cgroup.procs'))) return undefined;
	const parent = path.join(own, spoolCgroupName(spoolDir));
	try {
		if (!existsSync(parent)) mkdirSync(parent);
	} catch {
		return undefined;
	}
	if (!existsSync(path.join(parent, 'cgroup.kill'))) {
		removeCgroup(parent);
		return undefined;
	}
	return {
		prepare(node) {
			const dir = path.join(parent, node);
			try {
				// One level at a time: Node 20's recursive mkdir never returns under /sys.
				for (const each of [parent, dir]) if (!existsSync(each)) mkdirSync(each);
				return dir;
			} catch {
				return undefined;
			}
		},
		release: () => {
			// A node's own removal can meet EBUSY right after its last process went: retried here.
			let entries: Dirent[] = [];
			try {
				entries = readdirSync(parent, {withFileTypes: true});
			} catch {
				return; // Gone with its last node already.
			}
			for (const node of entries)
				if (node.isDirectory()) removeCgroup(path.join(parent, node.name));
			removeCgroup(parent);
		},
		enter(dir, pid) {
			try {
				writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
				return true;
			} catch {
				return false;
			}
		},
	};
}

/** Whether `dir` is a node cgroup of zeek-tui for `node` (an adopted process's, say). */
export function isNodeCgroup(dir: string, spoolDir: string, node: string): boolean {
	return (
		path.basename(dir) === node && path.basename(path.dirname(dir)) === spoolCgroupName(spoolDir)
	);
}

/** The pids in the cgroup (none when it is gone). */
export function cgroupMembers(dir: string): number[] {
	try {
		return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
			.split('\n')
			.filter((line) => line !== '')
			.map(Number);
	} catch {
		return [];
	}
}

/** SIGKILL to everything in the cgroup and below, by the kernel. */
export function killCgroup(dir: string): void {
	try {
		writeFileSync(path.join(dir, 'cgroup.kill'), '1');
	} catch {
		// Gone already.
	}
}

/** Removes an empty node cgroup, and the spool's when it was the last. */
export function removeCgroup(dir: string): void {
	const spoolLevel = path.basename(dir).startsWith('zeek-tui-');
	for (const each of spoolLevel ? [dir] : [dir, path.dirname(dir)]) {
		try {
			rmdirSync(each);
		} catch {
			return; // Not empty, or gone.
		}
	}
}
