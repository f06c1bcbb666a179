import { defineConfig } from 'drizzle-kit'

/** drizzle-kit reads batchkit's default tables (schema `batchkit`) and writes migrations to `drizzle/`. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
})
