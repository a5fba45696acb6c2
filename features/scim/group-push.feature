@scim @managed @saml
Feature: Pushed groups linked to resource groups
  A group the IdP pushes does nothing until an admin links it to a resource group with a role;
  then SCIM owns that resource group's membership.

  @req-SCIM-6 @req-SCIM-7
  Scenario Outline: Linking backfills the pushed group's members, then membership follows the IdP (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Acme has a resource group "models"
    And Alice is in Acme's <vendor> directory
    And Bob is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    And Acme's <vendor> has assigned Bob to the app
    And Acme's <vendor> has pushed group "ml-team" with "Alice"
    When Acme links pushed group "ml-team" to resource group "models" with role write
    Then Alice's resource groups in Acme are [SCIM-7]:
      | resource group | role  |
      | models         | write |
    And Bob is in no resource group of Acme [SCIM-7]
    When Acme's <vendor> adds Bob to group "ml-team"
    And Acme's <vendor> removes Alice from group "ml-team"
    Then Bob's resource groups in Acme are [SCIM-6, SCIM-7]:
      | resource group | role  |
      | models         | write |
    And Alice is in no resource group of Acme [SCIM-6, SCIM-7]

    @okta
    Examples: Okta
      | vendor | dialect        |
      | Okta   | okta-catalogue |
      | Okta   | okta-custom    |

    @entra
    Examples: Entra
      | vendor | dialect                |
      | Entra  | entra                  |
      | Entra  | entra-aadoptscim062020 |

  @req-SCIM-7
  Scenario Outline: Removed from one group, Alice keeps the highest role that remains (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Acme has a resource group "models"
    And Alice is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    And Acme's <vendor> has pushed group "ml-admins" with "Alice"
    And Acme's <vendor> has pushed group "ml-team" with "Alice"
    And Acme links pushed group "ml-admins" to resource group "models" with role admin
    And Acme links pushed group "ml-team" to resource group "models" with role read
    Then Alice's resource groups in Acme are [SCIM-7]:
      | resource group | role  |
      | models         | admin |
    When Acme's <vendor> removes Alice from group "ml-admins"
    Then Alice's resource groups in Acme are [SCIM-7]:
      | resource group | role |
      | models         | read |

    @okta
    Examples: Okta
      | vendor | dialect        |
      | Okta   | okta-catalogue |
      | Okta   | okta-custom    |

    @entra
    Examples: Entra
      | vendor | dialect                |
      | Entra  | entra                  |
      | Entra  | entra-aadoptscim062020 |

  @req-SCIM-7
  Scenario Outline: A role change on the link applies to every member (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Acme has a resource group "models"
    And Alice is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    And Acme's <vendor> has pushed group "ml-team" with "Alice"
    And Acme links pushed group "ml-team" to resource group "models" with role read
    When Acme links pushed group "ml-team" to resource group "models" with role write
    Then Alice's resource groups in Acme are [SCIM-7]:
      | resource group | role  |
      | models         | write |

    @okta
    Examples: Okta
      | vendor | dialect        |
      | Okta   | okta-catalogue |
      | Okta   | okta-custom    |

    @entra
    Examples: Entra
      | vendor | dialect                |
      | Entra  | entra                  |
      | Entra  | entra-aadoptscim062020 |

  @req-SCIM-7
  Scenario Outline: A manual change to a SCIM-managed resource group gets 403 (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Acme has a resource group "models"
    And Alice is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    And Acme's <vendor> has pushed group "ml-team" with "Alice"
    And Acme links pushed group "ml-team" to resource group "models" with role read
    Then Alice cannot change who is in Acme's resource group "models" by hand [SCIM-7]
    And Alice's resource groups in Acme are [SCIM-7]:
      | resource group | role |
      | models         | read |

    @okta
    Examples: Okta
      | vendor | dialect        |
      | Okta   | okta-catalogue |
      | Okta   | okta-custom    |

    @entra
    Examples: Entra
      | vendor | dialect                |
      | Entra  | entra                  |
      | Entra  | entra-aadoptscim062020 |
