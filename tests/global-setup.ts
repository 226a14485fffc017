/** Prints the Node version the suites run on (the Lambda runtime is nodejs24.x). */
export default function globalSetup(): void {
  process.stdout.write(`\nTests running on Node ${process.version} (${process.execPath})\n`);
}
