export {
  batchkitExpress,
  type ExpressBatchkitOptions,
  type ExpressHandler,
  type ExpressRequest,
} from './express-handler.ts'
