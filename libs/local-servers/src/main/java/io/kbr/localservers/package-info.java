/**
 * Real servers for integration tests and the demo, started by the project itself on free ports
 * of 127.0.0.1 without Docker: {@link io.kbr.localservers.MariaDbServer},
 * {@link io.kbr.localservers.KafkaBroker} and {@link io.kbr.localservers.S3Server}; all three at
 * once with {@link io.kbr.localservers.LocalServers} or {@link io.kbr.localservers.LocalServersMain};
 * one of each per test JVM with {@link io.kbr.localservers.SharedServers}.
 *
 * <p>Every server is a child process (see {@link io.kbr.localservers.ChildProcess}) that stops when
 * the JVM that started it ends, however it ends. Kafka and S3Proxy run in their own JVMs from jars
 * that this module's build resolved, so none of their libraries appear on the caller's classpath.
 */
package io.kbr.localservers;
