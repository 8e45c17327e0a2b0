// The error class of bad input, in a module of its own so that every checker can extend it.

/** Bad input: the CLI prints the message on one line and exits 2. */
export class InputError extends Error {}
