import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		// Integration tests start real process trees and tmux sessions; on a
		// 2-core box running files in parallel makes their timings flaky.
		fileParallelism: false,
		// Ink renders nothing when it believes it runs in CI; the component tests need its frames.
		env: {CI: 'false', CONTINUOUS_INTEGRATION: 'false'},
	},
});
