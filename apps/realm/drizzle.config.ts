/**
 * @module drizzle.config — drizzle-kit settings: `npm run -w @trine/realm db:generate`
 * writes SQL migrations into ./drizzle (committed, applied at start by src/db/open.ts).
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
