// One line of segments drawn by Ink: the React side of segments.ts.
import {Text} from 'ink';
import type {Segment} from './segments.js';

export function SegmentLine({
	segments,
	inverse,
}: {
	segments: readonly Segment[];
	inverse?: boolean;
}) {
	return (
		<Text wrap="truncate-end" inverse={inverse}>
			{segments.map((segment, index) =>
				segment.color === undefined && !segment.bold && !segment.dim ? (
					segment.text
				) : (
					<Text
						// Segments are positional: the same index is the same part of the line.
						key={index}
						color={segment.color}
						bold={segment.bold}
						dimColor={segment.dim}
					>
						{segment.text}
					</Text>
				),
			)}
		</Text>
	);
}
