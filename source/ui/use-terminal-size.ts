// The terminal's size, following resizes; fixed values win (tests have no real terminal).
import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export type TerminalSize = {columns: number; rows: number};

const readSize = (stdout: NodeJS.WriteStream): TerminalSize => ({
	columns: stdout.columns || 80,
	rows: stdout.rows || 24,
});

export function useTerminalSize(fixed: Partial<TerminalSize> = {}): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => readSize(stdout));

	useEffect(() => {
		const onResize = () => setSize(readSize(stdout));
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);

	return {columns: fixed.columns ?? size.columns, rows: fixed.rows ?? size.rows};
}
