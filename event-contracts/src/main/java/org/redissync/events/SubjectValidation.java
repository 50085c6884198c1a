package org.redissync.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code client_cert_subject_validation_type}. */
public enum SubjectValidation {
    @JsonProperty("disabled") DISABLED,
    @JsonProperty("san_cn") SAN_CN,
    @JsonProperty("full_subject") FULL_SUBJECT
}
