import { createApp } from './app.ts'

const { app } = createApp()
const port = Number(process.env.PORT ?? 3000)
app.listen(port, '127.0.0.1', () => {
  console.log(`Express app with batchkit on http://127.0.0.1:${port}/v1 (tokens: token-alice, token-bob)`)
})
