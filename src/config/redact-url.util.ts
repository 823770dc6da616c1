/**
 * A Redis URL fit for a log line: the password replaced by `***`. Works on the cluster form
 * (`redis+cluster://user:pass@h1:p1,h2:p2`) too, which `new URL()` refuses.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
