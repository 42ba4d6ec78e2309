/**
 * Quoting for command lines we print for the user to copy.
 */

/** Shell-quotes one word when it needs it (POSIX sh single quotes). */
export function shellWord(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
