package dev.crane.standalone;

/** Where the walkthrough's Kafka cluster and schema registry answer: the embedded ones or a user's own. */
record Cluster(String bootstrapServers, String schemaRegistryUrl) {}
