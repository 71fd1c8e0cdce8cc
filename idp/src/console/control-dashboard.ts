import express, { type Router } from 'express';
import type { LabState } from '../lab.js';
import { controlCxone } from './control-cxone.js';
import { controlExchanges } from './control-exchanges.js';

/**
 * The control API's parts the console page reads besides the shared collections: the protocol
 * exchanges (`/exchanges`, `/exchanges/stream`) and the CXone summary (`/cxone`). Mounted in
 * controlApi with one line, so its errors go through the control API's JSON handler.
 */
export function controlDashboard(state: LabState): Router {
  const r = express.Router();
  r.use('/exchanges', controlExchanges(state));
  r.use('/cxone', controlCxone(state));
  return r;
}
