// zeekctl hands ZeekArgs and aux_scripts to a shell (`zeekargs=-f "tcp port 80"` is two words);
// zeek-tui runs no shell, so it splits them the way the shell does: blanks, quotes, backslashes.
// Nothing is expanded: `$VAR` and `*` stay as written.

export class ShellWordsError extends Error {}

export function shellWords(text: string): string[] {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index]!;
		if (char === ' ' || char === '\t' || char === '\n') {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
			continue;
		}
		inWord = true;
		if (char === '\\') {
			const next = text[++index];
			if (next === undefined) word += '\\';
			else if (next !== '\n') word += next;
		} else if (char === "'") {
			const end = text.indexOf("'", index + 1);
			if (end === -1) throw new ShellWordsError(`unterminated ' in: ${text}`);
			word += text.slice(index + 1, end);
			index = end;
		} else if (char === '"') {
			let closed = false;
			for (index++; index < text.length; index++) {
				const inner = text[index]!;
				if (inner === '"') {
					closed = true;
					break;
				}
				if (inner === '\\' && '$`"\\\n'.includes(text[index + 1] ?? '')) {
					const escaped = text[++index]!;
					if (escaped !== '\n') word += escaped;
				} else {
					word += inner;
				}
			}
			if (!closed) throw new ShellWordsError(`unterminated " in: ${text}`);
		} else {
			word += char;
		}
	}
	if (inWord) words.push(word);
	return words;
}
