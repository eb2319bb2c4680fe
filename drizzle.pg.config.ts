import { defineConfig } from 'drizzle-kit';

// The team warehouse (PostgreSQL); drizzle.config.ts is the collector's SQLite file.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/team/schema.ts',
  out: './drizzle-pg',
  schemaFilter: ['upw'],
});
