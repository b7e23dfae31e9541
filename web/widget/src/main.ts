// The script's entry point (an IIFE: no globals but window.LeadflowWidget).
import { logError } from './dom';
import { boot } from './boot';

try {
  boot();
} catch (e) {
  logError(e);
}
