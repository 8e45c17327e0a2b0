// One open LogSource per open log pane: opened when the pane opens, closed when it closes.
import {useEffect, useRef, useState} from 'react';
import type {ClusterClient, LogSource} from '../cluster/types.js';

export function useLogSources(
	client: ClusterClient,
	nodes: readonly string[],
): ReadonlyMap<string, LogSource> {
	const open = useRef(new Map<string, LogSource>());
	const [sources, setSources] = useState<ReadonlyMap<string, LogSource>>(() => new Map());
	const key = nodes.join('\n');

	useEffect(() => {
		const wanted = new Set(key === '' ? [] : key.split('\n'));
		for (const [node, source] of open.current) {
			if (!wanted.has(node)) {
				source.close();
				open.current.delete(node);
			}
		}
		for (const node of wanted) {
			if (!open.current.has(node)) open.current.set(node, client.openLog(node));
		}
		setSources(new Map(open.current));
	}, [client, key]);

	useEffect(() => {
		const all = open.current;
		return () => {
			for (const source of all.values()) source.close();
			all.clear();
		};
	}, []);

	return sources;
}
