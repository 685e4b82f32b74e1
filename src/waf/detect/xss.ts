export function detectXss(input: string): boolean {
  return input.includes('<script');
}
