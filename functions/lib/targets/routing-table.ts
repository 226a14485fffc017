/** The routing file shipped with the functions (bundled by esbuild; read once per cold start). */
import routingFile from '../../../routing/routing.json' with { type: 'json' };
import { parseRoutingTable, type RoutingTable } from './routing.ts';

/** The repository's routing table, validated at load so a bad file fails the cold start. */
export const routingTable: RoutingTable = parseRoutingTable(routingFile);
