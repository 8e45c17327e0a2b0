// Which mount a path lives on, from /proc/self/mountinfo: a spool on a kernel file system or a
// read-only mount is refused before anything tries to create it (Node 20's recursive mkdirSync
// never returns under /proc).
import {readFileSync} from 'node:fs';

export type Mount = {mountPoint: string; fsType: string; readOnly: boolean};

/** File systems the kernel makes up: nothing may be created there, or nothing should. */
export const KERNEL_FILE_SYSTEMS: ReadonlySet<string> = new Set([
	'proc',
	'sysfs',
	'devtmpfs',
	'devpts',
	'cgroup',
	'cgroup2',
	'debugfs',
	'tracefs',
	'securityfs',
	'pstore',
	'bpf',
	'configfs',
	'fusectl',
	'mqueue',
	'efivarfs',
	'binfmt_misc',
	'selinuxfs',
	'nsfs',
	'rpc_pipefs',
	'hugetlbfs',
	'autofs',
]);

/** The kernel's own trees: refused whatever is mounted there (a container's /dev is a tmpfs). */
export const KERNEL_TREES: readonly string[] = ['/proc', '/sys', '/dev'];

/** mountinfo escapes blanks and backslashes in paths as octal (`\040`). */
function unescape(field: string): string {
	return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
		String.fromCharCode(Number.parseInt(octal, 8)),
	);
}

/** The mounts of a mountinfo text (proc(5)), in its order: later ones stack over earlier ones. */
export function parseMountInfo(text: string): Mount[] {
	const mounts: Mount[] = [];
	for (const line of text.split('\n')) {
		const fields = line.split(' ');
		const separator = fields.indexOf('-');
		if (separator < 6 || fields.length < separator + 4) continue;
		const mountOptions = fields[5]!.split(',');
		const superOptions = fields[separator + 3]!.split(',');
		mounts.push({
			mountPoint: unescape(fields[4]!),
			fsType: fields[separator + 1]!,
			readOnly: mountOptions.includes('ro') || superOptions.includes('ro'),
		});
	}
	return mounts;
}

function contains(directory: string, file: string): boolean {
	return directory === '/' || file === directory || file.startsWith(`${directory}/`);
}

/** The mount that holds `file` (an absolute path without symlinks): the last, deepest match. */
export function mountOf(file: string, mounts: readonly Mount[]): Mount | undefined {
	let found: Mount | undefined;
	for (const mount of mounts) {
		if (!contains(mount.mountPoint, file)) continue;
		if (found === undefined || mount.mountPoint.length >= found.mountPoint.length) found = mount;
	}
	return found;
}

export function readMounts(): Mount[] {
	try {
		return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
	} catch {
		return [];
	}
}

/**
 * Why no spool may be made at `spool`, whose nearest existing ancestor is `existing` (absolute,
 * symlinks resolved), or undefined when it may.
 */
export function unusablePlace(
	spool: string,
	existing: string,
	mounts: readonly Mount[],
): string | undefined {
	const tree = KERNEL_TREES.find((root) => contains(root, spool) || contains(root, existing));
	if (tree !== undefined) return `it is under ${tree}, the kernel's own tree`;
	const mount = mountOf(existing, mounts);
	if (mount === undefined) return undefined;
	if (KERNEL_FILE_SYSTEMS.has(mount.fsType))
		return `${existing} is on a ${mount.fsType} mount (${mount.mountPoint}), not a disk`;
	if (mount.readOnly) return `${existing} is on a read-only mount (${mount.mountPoint})`;
	return undefined;
}
