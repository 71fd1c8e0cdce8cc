// PLACEHOLDER (issue 6 in progress): replaced by the module's real implementation before landing.
import express, { type Router } from 'express';
import type { CxoneContext } from '../context.js';

export function oidcRpRouter(_ctx: CxoneContext): Router {
  return express.Router();
}
