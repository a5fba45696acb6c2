@scim @basic @saml
Feature: Basic organisations provision by SCIM invitation
  In Basic mode SCIM only invites people who already have a platform account: the invitation is
  accepted by their first SSO, their profile stays theirs, and SCIM can take away the access it
  gave but never the account.

  @req-SCIM-B1
  Scenario Outline: SCIM invites Alice's existing account; her first SSO accepts it (<dialect>)
    Given Acme is a Basic organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to the platform with her password
    When Acme's <vendor> assigns Alice to the app
    And Alice signs in to Acme through SSO
    Then Acme's invitation is accepted [SCIM-B1]
    And Alice is a member of Acme [SCIM-B1]
    And Alice is still signed in with her own personal account [SCIM-B1]

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

  @req-SCIM-B1
  Scenario Outline: SCIM cannot invite Bob, who has no platform account (<dialect>)
    Given Acme is a Basic organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Bob is in Acme's <vendor> directory
    Then Acme's <vendor> cannot assign Bob with username "bob-nobody" [SCIM-B1]
    And Acme has exactly 0 members [SCIM-B1]

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

  @req-SCIM-B2 @req-SCIM-3
  Scenario Outline: Alice's profile is read-only to SCIM (<dialect>)
    Given Acme is a Basic organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    Then Acme's <vendor> cannot rename Alice to "alicia" [SCIM-B2]

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

  @req-SCIM-B4 @req-SCIM-3
  Scenario Outline: Deactivating Alice by SCIM ends her access to Acme, not her account (<dialect>)
    Given Acme is a Basic organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to the platform with her password
    And Acme's <vendor> has assigned Alice to the app
    And Alice has signed in to Acme through SSO
    When Acme's <vendor> deactivates Alice
    Then Alice's membership of Acme is deactivated [SCIM-B4]
    And Alice is still signed in to the platform [SCIM-B4]

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

  @req-SCIM-B5
  Scenario Outline: Deleting Alice by SCIM removes her from Acme and keeps her account (<dialect>)
    Given Acme is a Basic organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to the platform with her password
    And Acme's <vendor> has assigned Alice to the app
    And Alice has signed in to Acme through SSO
    When Acme's <vendor> deletes Alice
    Then Alice is not a member of Acme [SCIM-B5]
    And Alice is still signed in with her own personal account [SCIM-B5]

    @entra
    Examples: Entra
      | vendor | dialect                |
      | Entra  | entra                  |
      | Entra  | entra-aadoptscim062020 |

  @req-SCIM-B5 @req-SCIM-B4
  Scenario Outline: Okta never deletes: deleting Alice deactivates her access to Acme (<dialect>)
    Given Acme is a Basic organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to the platform with her password
    And Acme's <vendor> has assigned Alice to the app
    And Alice has signed in to Acme through SSO
    When Acme's <vendor> deletes Alice
    Then Alice's membership of Acme is deactivated [SCIM-B5]
    And Alice is still signed in with her own personal account [SCIM-B5]

    @okta
    Examples: Okta
      | vendor | dialect        |
      | Okta   | okta-catalogue |
      | Okta   | okta-custom    |
