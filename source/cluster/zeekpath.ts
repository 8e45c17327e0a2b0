// A node's ZEEKPATH. zeek searches an environment ZEEKPATH instead of its default path, and only
// the default holds `.` (src/util.cc zeek_path()), so an inherited ZEEKPATH would hide the
// layout copy in the node's directory: the node's directory goes first, the operator's entries after.

/** The ZEEKPATH to give a node running in `nodeDir`, or undefined when zeek's default applies. */
export function nodeZeekPath(inherited: string | undefined, nodeDir: string): string | undefined {
	if (inherited === undefined) return undefined;
	const entries = inherited.split(':').filter((entry) => entry !== '');
	// First, so that a cluster-layout.zeek elsewhere on the path (zeekctl's spool) cannot win.
	return [nodeDir, ...entries.filter((entry) => entry !== nodeDir)].join(':');
}

/** What the operator should hear about the inherited ZEEKPATH, if anything. */
export function zeekPathWarning(inherited: string | undefined): string | undefined {
	if (inherited === undefined || inherited.split(':').some((entry) => entry !== ''))
		return undefined;
	return "warning: ZEEKPATH is set but empty: zeek then finds none of its own scripts; unset it to use zeek's default path";
}
