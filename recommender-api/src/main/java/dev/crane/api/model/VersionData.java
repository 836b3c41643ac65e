package dev.crane.api.model;

/** One complete version as loaded from the store: its manifest, users and items. */
public record VersionData(VersionInfo info, EmbeddingTable users, EmbeddingTable items) {}
