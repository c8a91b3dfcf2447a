package org.trec.clients;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.trec.client.ApiClient;
import org.trec.client.ApiException;
import org.trec.client.api.ArchiveApi;
import org.trec.client.api.TrainingApi;
import org.trec.client.model.ArchiveLookupRequest;
import org.trec.client.model.ArchiveRecord;
import org.trec.client.model.DesignateInstitutionRequest;
import org.trec.client.model.DesignationAnswer;
import org.trec.client.model.Issue;
import org.trec.client.model.IssuePathInner;
import org.trec.client.model.Problem;

/**
 * The journey of tests/clients/journey.ts with the generated Java client: designate an
 * institution, look up an archive, and read a problem+json refusal (its code and failing fields).
 * Given the server and tokens in the environment; prints what it found as one line
 * {@code JOURNEY <json>} and exits 1 on anything unexpected.
 */
public final class Journey {
  private Journey() {}

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) throw new IllegalStateException(name + " is not set");
    return value;
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private static DesignateInstitutionRequest designation(String institution, String uscc) {
    return new DesignateInstitutionRequest()
        .institution(institution)
        .legalName("石家庄市长安区新航职业培训学校")
        .uscc(uscc)
        .region("130102")
        .kinds(List.of(DesignateInstitutionRequest.KindsEnum.PRIVATE_PROVIDER))
        .effectiveFrom(LocalDate.parse("2021-01-01"));
  }

  public static void main(String[] args) throws Exception {
    ApiClient client = new ApiClient();
    client.updateBaseUri(env("TREC_URL"));
    TrainingApi training = new TrainingApi(client);
    String admin = env("TREC_ADMIN_TOKEN");
    String institution = env("TREC_INSTITUTION");
    String uscc = env("TREC_USCC");

    DesignationAnswer designated = training.designateInstitution(designation(institution, uscc), bearer(admin));

    ArchiveRecord looked =
        new ArchiveApi(client)
            .lookUpArchive(
                new ArchiveLookupRequest()
                    .cardNumber(env("TREC_CARD_NUMBER"))
                    .purpose(ArchiveLookupRequest.PurposeEnum.CARD_HOLDER_REQUEST),
                bearer(env("TREC_CARD_SERVICE_TOKEN")));

    Problem problem;
    int status;
    try {
      training.designateInstitution(designation(institution, env("TREC_BROKEN_USCC")), bearer(admin));
      throw new IllegalStateException("a broken USCC was accepted");
    } catch (ApiException e) {
      status = e.getCode();
      problem = client.getObjectMapper().readValue(e.getResponseBody(), Problem.class);
    }
    List<Issue> issues = problem.getErrors() == null ? List.of() : problem.getErrors();
    List<String> fields =
        issues.stream()
            .map(
                issue ->
                    issue.getPath().stream()
                        .map(IssuePathInner::getActualInstance)
                        .map(String::valueOf)
                        .collect(Collectors.joining(".")))
            .toList();

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("designated", designated.getInstitution());
    result.put(
        "archive",
        Map.of("worker", looked.getWorker(), "found", looked.getArchive().getFound()));
    result.put("refusal", Map.of("status", status, "code", problem.getCode().getValue(), "fields", fields));
    System.out.println("JOURNEY " + client.getObjectMapper().writeValueAsString(result));
  }
}
