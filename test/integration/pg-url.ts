/** Where the PostgreSQL state tests find their server: LXPLAN_TEST_PG, or the throwaway cluster of scripts/pg-up.sh. */
export const PG_URL = process.env.LXPLAN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5439/lxplan_test';

/** The URL of workspace `ws` on the test server (or on `base`). */
export function pgUrl(ws: string, base = PG_URL): string {
  const u = new URL(base);
  u.searchParams.set('workspace', ws);
  return u.toString();
}
