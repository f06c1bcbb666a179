/**
 * The few globals of Bun and Deno these servers use, so `tsc` checks them in the workspace without
 * either runtime's full type package. Bun and Deno provide the real objects.
 */

declare const Bun: {
  readonly version: string
  serve(options: { hostname: string; port: number; fetch(request: Request): Response | Promise<Response> }): {
    readonly port: number
  }
}

declare const Deno: {
  readonly version: { readonly deno: string }
  readonly env: { toObject(): Record<string, string> }
  serve(
    options: { hostname: string; port: number; onListen?(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown
}
