import { defineConfig } from 'drizzle-kit';

// The team warehouse (PostgreSQL); drizzle.config.ts is the collector's SQLite file.
// `npm run db:generate:pg` after changing src/replication.ts. The views (0001) are plain SQL:
// PostgreSQL refuses to change a column a view reads, so such a migration drops and recreates them.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/team/schema.ts',
  out: './drizzle-pg',
  schemaFilter: ['upw'],
});
